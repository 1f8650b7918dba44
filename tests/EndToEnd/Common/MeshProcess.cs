using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>
/// The real <c>mesh</c> executable (<c>dotnet mesh.dll run</c>, copied next to this assembly by the project
/// reference) as a child process on its own data directory and loopback port. Its stdout and stderr are kept
/// so that a failing test can say what Mesh printed.
/// </summary>
internal sealed class MeshProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MeshProcess(Process process, string dataDir, Uri baseAddress)
    {
        _process = process;
        DataDir = dataDir;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string DataDir { get; }

    /// <summary>The DNS server's port on 127.0.0.1, UDP and TCP (<c>MESH__DNS__PORT</c>).</summary>
    public int DnsPort { get; private set; }

    /// <summary>The gateway's plain-HTTP listener (<c>MESH__GATEWAY__URL</c>).</summary>
    public Uri? GatewayAddress { get; private set; }

    public Uri BaseAddress { get; }

    /// <summary>A client for the API; its connections die with the process.</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }

    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>
    /// Starts Mesh on <paramref name="dataDir"/> listening on a free loopback port. <paramref name="environment"/>
    /// is applied last, so a test can override (or break) any setting; a null value removes a variable.
    /// </summary>
    public static MeshProcess Start(string dataDir, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var meshDll = Path.Combine(AppContext.BaseDirectory, "mesh.dll");
        if (!File.Exists(meshDll)) throw new FileNotFoundException("mesh.dll is not next to the test assembly; is src/Host referenced?", meshDll);

        var info = new ProcessStartInfo(DotnetHost(), [meshDll, "run"])
        {
            WorkingDirectory = dataDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MESH__DATADIR"] = dataDir;
        info.Environment["MESH__API__URL"] = url.ToString().TrimEnd('/');
        info.Environment["MESH__GATEWAY__URL"] = $"http://127.0.0.1:{FreePort.Next()}";
        info.Environment["MESH__DNS__PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var mesh = new MeshProcess(process, dataDir, url);
        if (info.Environment.TryGetValue("MESH__GATEWAY__URL", out var gateway) && !string.IsNullOrEmpty(gateway)) mesh.GatewayAddress = new Uri(gateway);
        if (info.Environment.TryGetValue("MESH__DNS__PORT", out var dns) && int.TryParse(dns, out var dnsPort)) mesh.DnsPort = dnsPort;
        process.OutputDataReceived += (_, e) => mesh.Capture(mesh._stdout, mesh._outputClosed, e.Data);
        process.ErrorDataReceived += (_, e) => mesh.Capture(mesh._stderr, mesh._errorClosed, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return mesh;
    }

    /// <summary>Starts Mesh and waits until <c>/healthz</c> answers.</summary>
    public static async Task<MeshProcess> StartHealthyAsync(string dataDir, CancellationToken ct)
    {
        var mesh = Start(dataDir);
        try
        {
            await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(30), ct);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <c>/healthz</c> answers 200; fails with Mesh's output when it exits or the time runs out.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mesh exited with code {_process.ExitCode} before it was healthy.{Describe()}");
            try
            {
                using var response = await probe.GetAsync("/healthz", ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"mesh did not answer /healthz within {timeout}.{Describe()}");
    }

    /// <summary><c>kill -9</c>: no shutdown code runs. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>docker stop</c> would, and returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        return await WaitForExitAsync(timeout);
    }

    /// <summary>The exit code once the process has exited (and its output is fully read).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"mesh (pid {_process.Id}) did not exit within {timeout}.{Describe()}");
        }
        return _process.ExitCode;
    }

    /// <summary>What Mesh printed, for failure messages.</summary>
    public string Describe() =>
        $"{Environment.NewLine}--- mesh stdout ---{Environment.NewLine}{StandardOutput}--- mesh stderr ---{Environment.NewLine}{StandardError}";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try { await KillAsync(); }
        catch (InvalidOperationException) { } // never started
        _process.Dispose();
    }

    private void Capture(StringBuilder into, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (into) into.AppendLine(line);
    }

    /// <summary>The dotnet host running the tests (set by the SDK), so Mesh runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled for one call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
