using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Mesh.Tests.Common;

/// <summary>
/// A real, private Docker engine for one test class: Debian's <c>dockerd</c> on its own socket, data and exec roots
/// under a short temp directory (unix socket paths must stay under 108 characters), with vfs storage, no bridge and
/// no iptables (only <c>--network host</c> works), and <c>--live-restore</c> so that containers outlive an engine
/// restart. It imports a tiny image from Debian's static busybox, and drives containers with Debian's docker CLI,
/// as a user would. Several engines run side by side. Dispose removes the containers, stops the engine and
/// deletes its directory. Test classes use it as a class fixture; bench/ starts one itself.
/// </summary>
public sealed partial class DockerEngine : IAsyncDisposable
{
    public const string Image = "mesh-busybox:test";

    private const string Dockerd = "/usr/sbin/dockerd";
    private const string DockerCli = "/usr/bin/docker";
    private const string Install = "scripts/test.sh installs them (apt-get install docker.io busybox-static)";
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int MntDetach = 2;
    private static readonly string[] Busyboxes = ["/bin/busybox", "/usr/bin/busybox"];
    private static readonly string[] Applets = ["sh", "httpd", "sleep", "true", "false", "echo", "cat", "kill"];

    private Process? _daemon;

    /// <summary>The engine's private directory (socket, roots, pid file, log).</summary>
    public string WorkDirectory { get; private set; } = "";

    public string SocketPath => Path.Combine(WorkDirectory, "d.sock");

    /// <summary>What Mesh is configured with: <c>unix:///tmp/.../d.sock</c>.</summary>
    public string Endpoint => "unix://" + SocketPath;

    private string LogPath => Path.Combine(WorkDirectory, "dockerd.log");

    /// <summary>Starts the engine and imports the image; fails saying what to install when dockerd or busybox is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        var busybox = Busyboxes.FirstOrDefault(File.Exists);
        if (!File.Exists(Dockerd) || !File.Exists(DockerCli) || busybox is null)
            throw new InvalidOperationException($"The Docker tests need {Dockerd}, {DockerCli} and a static busybox; {Install}.");
        if (!IsStatic(busybox))
            throw new InvalidOperationException($"{busybox} is dynamically linked and cannot run in an empty image; {Install}.");
        if (geteuid() != 0)
            throw new InvalidOperationException("The Docker tests start their own dockerd, which needs root.");

        WorkDirectory = CreateShortTempDirectory();
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "daemon.json"), "{}");
        try
        {
            await StartEngineAsync();
            await ImportImageAsync(busybox);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <c>docker run -d --init --network host</c> with the labels and the command; returns the container id.
    /// <c>--init</c> forwards SIGTERM to the command, so <c>docker stop</c> does not wait 10 s for a PID 1 that
    /// ignores it. <paramref name="options"/> go before the image (e.g. <c>--health-cmd</c>, <c>--name</c>).
    /// </summary>
    public async Task<string> RunAsync(IReadOnlyDictionary<string, string> labels, string[] command, params string[] options)
    {
        var args = new List<string> { "run", "-d", "--init", "--network", "host" };
        foreach (var (key, value) in labels) args.AddRange(["--label", $"{key}={value}"]);
        args.AddRange(options);
        args.Add(Image);
        args.AddRange(command);
        return (await DockerAsync([.. args])).Trim();
    }

    /// <summary>busybox httpd serving <c>/www</c> on <paramref name="port"/> of the host.</summary>
    public Task<string> RunHttpdAsync(int port, IReadOnlyDictionary<string, string> labels, params string[] options) =>
        RunAsync(labels, ["/bin/httpd", "-f", "-h", "/www", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], options);

    /// <summary>A container that runs until stopped and ignores SIGHUP (so a <c>kill -s HUP</c> leaves it running).</summary>
    public Task<string> RunSleeperAsync(IReadOnlyDictionary<string, string> labels, params string[] options) =>
        RunAsync(labels, ["/bin/sh", "-c", "trap '' HUP; exec sleep 100000"], options);

    public Task StopAsync(string id) => DockerAsync("stop", id);

    /// <summary><c>docker kill</c>, with a signal (<c>HUP</c>) or SIGKILL.</summary>
    public Task KillAsync(string id, string? signal = null) =>
        signal is null ? DockerAsync("kill", id) : DockerAsync("kill", "--signal", signal, id);

    public Task PauseAsync(string id) => DockerAsync("pause", id);

    public Task UnpauseAsync(string id) => DockerAsync("unpause", id);

    public Task RenameAsync(string id, string name) => DockerAsync("rename", id, name);

    public Task RemoveAsync(string id) => DockerAsync("rm", "-f", id);

    /// <summary><c>docker ps</c>: the full ids of the running (and paused) containers.</summary>
    public async Task<IReadOnlySet<string>> RunningIdsAsync() =>
        (await DockerAsync("ps", "-q", "--no-trunc")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The host pid of the container's first process (here docker-init).</summary>
    public async Task<int> PidOfAsync(string id) =>
        int.Parse((await DockerAsync("inspect", "--format", "{{.State.Pid}}", id)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Removes every container, so that a test starts from an empty engine.</summary>
    public async Task RemoveAllContainersAsync()
    {
        var all = (await DockerAsync("ps", "-aq", "--no-trunc")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (all.Length > 0) await DockerAsync(["rm", "-f", .. all]);
    }

    /// <summary>Stops the engine with SIGTERM, as a service manager would; running containers keep running (live restore).</summary>
    public async Task StopEngineAsync()
    {
        if (_daemon is null) return;
        var daemon = _daemon;
        _daemon = null;
        if (!daemon.HasExited) _ = kill(daemon.Id, SigTerm);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await daemon.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync(CancellationToken.None);
        }
        daemon.Dispose();
    }

    /// <summary>
    /// Starts the engine on the same roots and waits until it answers <c>/_ping</c>. <paramref name="extraArguments"/>
    /// are added for this run of the engine (e.g. a TLS <c>-H tcp://...</c> listener).
    /// </summary>
    public async Task StartEngineAsync(params string[] extraArguments)
    {
        if (_daemon is not null) throw new InvalidOperationException("The engine is running.");
        var info = new ProcessStartInfo(Dockerd)
        {
            ArgumentList =
            {
                "--config-file", Path.Combine(WorkDirectory, "daemon.json"),
                "--storage-driver=vfs", "--iptables=false", "--bridge=none", "--live-restore",
                "-H", Endpoint,
                "--data-root", Path.Combine(WorkDirectory, "root"),
                "--exec-root", Path.Combine(WorkDirectory, "exec"),
                "--pidfile", Path.Combine(WorkDirectory, "dockerd.pid"),
            },
        };
        foreach (var argument in extraArguments) info.ArgumentList.Add(argument);
        var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        var daemon = ServerProcess.Start(info, log);
        daemon.Exited += (_, _) => { lock (log) log.Dispose(); };
        _daemon = daemon;
        await ServerProcess.WaitUntilServingAsync(daemon, PingAsync, $"dockerd answering on {SocketPath}", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), Describe);
    }

    public async Task RestartEngineAsync()
    {
        await StopEngineAsync();
        await StartEngineAsync();
    }

    /// <summary>Runs the docker CLI against this engine; returns its output, or throws with what it printed.</summary>
    public async Task<string> DockerAsync(params string[] args) => await RunCliAsync(args, stdin: null);

    /// <summary>The engine's log, for failure messages.</summary>
    public string Describe() => ServerProcess.LogTail(LogPath, "dockerd");

    public async ValueTask DisposeAsync()
    {
        if (WorkDirectory.Length == 0) return;
        try
        {
            // A test that failed with the engine stopped left containers running: the engine restores them first.
            if (_daemon is null) await StartEngineAsync();
            await RemoveAllContainersAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // the engine is broken; its shims go below
        }
        await StopEngineAsync();
        KillLeftovers();
        // dockerd leaves its data root bind-mounted and the default netns mounted when it stops.
        foreach (var mount in MountsUnder(WorkDirectory).OrderByDescending(m => m.Length))
            _ = umount2(mount, MntDetach);
        try { System.IO.Directory.Delete(WorkDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // /tmp, not $TMPDIR: the socket path must stay short.
    private static string CreateShortTempDirectory()
    {
        while (true)
        {
            var path = "/tmp/md" + Path.GetRandomFileName()[..6];
            if (System.IO.Directory.Exists(path)) continue;
            return System.IO.Directory.CreateDirectory(path).FullName;
        }
    }

    private async Task ImportImageAsync(string busybox)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin/", "tmp/", "www/", "etc/" })
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            await using (var binary = File.OpenRead(busybox))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox")
                {
                    Mode = (UnixFileMode)Convert.ToInt32("755", 8),
                    DataStream = binary,
                });
            }
            foreach (var applet in Applets)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "www/index.html")
            {
                Mode = (UnixFileMode)Convert.ToInt32("644", 8),
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("ok\n")),
            });
        }
        await RunCliAsync(["import", "-", Image], tar.ToArray());
    }

    private async Task<string> RunCliAsync(string[] args, byte[]? stdin)
    {
        var info = new ProcessStartInfo(DockerCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-H");
        info.ArgumentList.Add(Endpoint);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The CLI would otherwise read the user's contexts and config.
        info.Environment["DOCKER_CONFIG"] = Path.Combine(WorkDirectory, "cli");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {DockerCli}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited with {process.ExitCode}: {(await stderr).Trim()}{Describe()}");
        return output;
    }

    private async Task<bool> PingAsync()
    {
        if (!File.Exists(SocketPath)) return false;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray());
            var buffer = new byte[256];
            var read = await socket.ReceiveAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.0 200", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Shims and containers of this engine that outlived it (a test that failed half-way); nothing else is touched.
    private void KillLeftovers()
    {
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(WorkDirectory + "/", StringComparison.Ordinal) && pid != Environment.ProcessId) _ = kill(pid, SigKill);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static IEnumerable<string> MountsUnder(string directory)
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && (fields[4] == directory || fields[4].StartsWith(directory + "/", StringComparison.Ordinal)))
                yield return fields[4];
        }
    }


    /// <summary>A static executable has no PT_INTERP program header (no dynamic loader to ask for).</summary>
    private static bool IsStatic(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2) return false; // 64-bit ELF only
        var phoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x20));
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36));
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        for (var i = 0; i < phnum; i++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(phoff + i * phentsize)) == 3) return false;
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int umount2(string target, int flags);
}
