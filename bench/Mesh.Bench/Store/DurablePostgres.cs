using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Mesh.Tests.Common;
using Npgsql;

namespace Mesh.Bench.Store;

/// <summary>
/// The private <see cref="PostgresServer"/>'s cluster restarted with PostgreSQL's own durability defaults
/// (<c>fsync=on</c>, <c>full_page_writes=on</c>, <c>synchronous_commit=on</c>: a commit returns once its WAL is flushed),
/// on the same data directory and port. The test server runs with <c>fsync=off</c>, which a command-line setting pins
/// (<c>ALTER SYSTEM</c> cannot undo it), so this stops it and starts <c>postgres</c> itself, as the server does
/// (as the <c>postgres</c> user when run as root). Dispose stops it (fast shutdown); the
/// <see cref="PostgresServer"/> is still the caller's to dispose, which deletes the directory (and kills a
/// postmaster that is still there).
/// </summary>
internal sealed class DurablePostgres : IAsyncDisposable
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly PostgresServer _server;
    private readonly Process _process;

    private DurablePostgres(PostgresServer server, Process process)
    {
        _server = server;
        _process = process;
    }

    private string DataDirectory => Path.Combine(_server.WorkDirectory, "data");

    public static async Task<DurablePostgres> RestartAsync(PostgresServer server)
    {
        await server.StopAsync();
        var bin = Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(dir => File.Exists(Path.Combine(dir, "postgres")))
            .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .First();
        var postgres = Path.Combine(bin, "postgres");
        string[] args =
        [
            "-D", Path.Combine(server.WorkDirectory, "data"), "-p", server.Port.ToString(CultureInfo.InvariantCulture),
            "-k", Path.Combine(server.WorkDirectory, "sock"), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
            "-c", "logging_collector=off",
        ];
        var asRoot = geteuid() == 0;
        var info = new ProcessStartInfo(asRoot ? "/usr/sbin/runuser" : postgres)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = server.WorkDirectory,
        };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", postgres }) info.ArgumentList.Add(a);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["LC_ALL"] = "C";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var durable = new DurablePostgres(server, process);
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"postgres (fsync=on) exited with {process.ExitCode} before accepting connections.");
                if (clock.Elapsed > Patience) throw new TimeoutException("postgres (fsync=on) did not accept connections within 60 s.");
                try
                {
                    await using var connection = new NpgsqlConnection(server.ConnectionString());
                    await connection.OpenAsync();
                    await using var show = new NpgsqlCommand("SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')", connection);
                    var settings = (string)(await show.ExecuteScalarAsync())!;
                    if (settings != "on on on") throw new InvalidOperationException($"fsync, synchronous_commit, full_page_writes are '{settings}', not all on.");
                    return durable;
                }
                catch (NpgsqlException)
                {
                    await Task.Delay(50);
                }
            }
        }
        catch
        {
            await durable.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (ReadPostmasterPid() is { } pid) _ = kill(pid, SigInt);
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            if (ReadPostmasterPid() is { } stuck) _ = kill(stuck, SigKill);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }

    private int? ReadPostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();
}
