using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace Mesh.Tests.Common;

/// <summary>
/// A real, private PostgreSQL server: Debian's <c>initdb</c> and <c>postgres</c> (<c>/usr/lib/postgresql/N/bin</c>) on
/// a data directory and unix socket directory under a short temp directory, listening on 127.0.0.1 at a free port,
/// trust authentication, <c>fsync=off</c> (tests need no durability across power loss). Run as the <c>postgres</c>
/// user when the tests run as root (initdb and postgres refuse root). Each test takes a fresh database from
/// <see cref="CreateDatabaseAsync"/>. <see cref="StopAsync"/> and <see cref="StartAsync"/> take the server down and
/// up on the same port and data. Dispose stops it and deletes its directory. Test classes share one as a collection
/// fixture.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string Install = "install the Debian package postgresql (apt-get install postgresql; scripts/test.sh installs it)";
    private const string Runuser = "/usr/sbin/runuser";
    private const string OsUser = "postgres";
    private const int SigInt = 2;
    private const int SigKill = 9;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Process? _postmaster;
    private StreamWriter? _log;
    private string _binDirectory = "";

    /// <summary>The server's private directory (data, socket, log).</summary>
    public string WorkDirectory { get; private set; } = "";

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(WorkDirectory, "data");

    private string SocketDirectory => Path.Combine(WorkDirectory, "sock");

    private string LogPath => Path.Combine(WorkDirectory, "postgres.log");

    private static bool AsRoot => geteuid() == 0;

    /// <summary>Creates the cluster and starts the server; fails saying what to install when PostgreSQL is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        _binDirectory = FindBinDirectory()
            ?? throw new InvalidOperationException($"The PostgreSQL tests need the PostgreSQL server (initdb, postgres) under /usr/lib/postgresql/<version>/bin; {Install}.");
        if (AsRoot && !File.Exists(Runuser))
            throw new InvalidOperationException($"Running as root, the PostgreSQL tests need {Runuser} to start PostgreSQL as the {OsUser} user.");

        WorkDirectory = CreateShortTempDirectory();
        try
        {
            Directory.CreateDirectory(SocketDirectory);
            if (AsRoot) await RunAsync("/bin/chown", ["-R", $"{OsUser}:{OsUser}", WorkDirectory], asPostgres: false);
            await RunAsync(Path.Combine(_binDirectory, "initdb"),
                ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                asPostgres: true);
            // A free port may be taken between the check and postgres binding it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Port = ServerProcess.FreePort();
                try
                {
                    await StartAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 5 && Describe().Contains("could not bind", StringComparison.OrdinalIgnoreCase))
                {
                }
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>The superuser's connection string for <paramref name="database"/> (unpooled unless asked).</summary>
    public string ConnectionString(string database = "postgres", bool pooling = false) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = pooling,
        Timeout = 10,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>A new, empty database (<c>mesh_&lt;guid&gt;</c>); returns its pooled connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "mesh_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        return ConnectionString(name, pooling: true);
    }

    /// <summary>Runs <paramref name="sql"/> in <paramref name="database"/> as the superuser, on a connection of its own.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Ends every other session on <paramref name="database"/> (<c>pg_terminate_backend</c>), as an operator or a failover would.</summary>
    public async Task<int> TerminateConnectionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = database });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Starts the server on <see cref="Port"/> and waits until it accepts connections. Tests run it with
    /// <c>fsync=off</c>; <paramref name="durable"/> keeps PostgreSQL's own durability defaults (for benchmarks that
    /// compare with a store that flushes).
    /// </summary>
    public async Task StartAsync(bool durable = false)
    {
        if (_postmaster is not null) throw new InvalidOperationException("PostgreSQL is running.");
        var postgres = Path.Combine(_binDirectory, "postgres");
        string[] args =
        [
            "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", SocketDirectory,
            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "logging_collector=off",
            .. (durable ? Array.Empty<string>() : ["-c", "fsync=off", "-c", "full_page_writes=off"]),
        ];
        var info = Command(postgres, args, asPostgres: true);
        _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var postmaster = ServerProcess.Start(info, _log);
        _postmaster = postmaster;
        try
        {
            await ServerProcess.WaitUntilServingAsync(postmaster, AcceptsConnectionsAsync, $"PostgreSQL accepting connections on 127.0.0.1:{Port}",
                Patience, TimeSpan.FromMilliseconds(50), Describe);
        }
        catch (InvalidOperationException)
        {
            _postmaster = null;
            postmaster.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown: sessions are ended, as when an operator restarts it) and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (_postmaster is null) return;
        var postmaster = _postmaster;
        _postmaster = null;
        if (ReadPostmasterPid() is { } pid) _ = kill(pid, SigInt);
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await postmaster.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            if (ReadPostmasterPid() is { } stuck) _ = kill(stuck, SigKill);
            postmaster.Kill(entireProcessTree: true);
            await postmaster.WaitForExitAsync(CancellationToken.None);
        }
        postmaster.Dispose();
    }

    /// <summary>The server's log, for failure messages.</summary>
    public string Describe() => ServerProcess.LogTail(LogPath, "postgres");

    public async ValueTask DisposeAsync()
    {
        if (WorkDirectory.Length == 0) return;
        await StopAsync();
        // A server this instance lost track of (a start that timed out) must not outlive it.
        if (ReadPostmasterPid() is { } leftover) _ = kill(leftover, SigKill);
        if (_log is not null)
        {
            lock (_log) _log.Dispose();
            _log = null;
        }
        try { Directory.Delete(WorkDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        WorkDirectory = "";
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString()) { Timeout = 2 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            // refused (not listening yet) or 57P03 (starting up)
            return false;
        }
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

    private async Task RunAsync(string program, string[] args, bool asPostgres)
    {
        using var process = Process.Start(Command(program, args, asPostgres)) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {(await stdout).Trim()} {(await stderr).Trim()}");
    }

    private ProcessStartInfo Command(string program, string[] args, bool asPostgres)
    {
        var runAs = asPostgres && AsRoot;
        var info = new ProcessStartInfo(runAs ? Runuser : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user cannot enter the test runner's directory (/root/...).
            WorkingDirectory = WorkDirectory,
        };
        if (runAs)
        {
            foreach (var a in new[] { "-u", OsUser, "--", program }) info.ArgumentList.Add(a);
        }
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["LC_ALL"] = "C";
        return info;
    }

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.EnumerateDirectories(root)
            .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(x => File.Exists(Path.Combine(x.dir, "bin", "postgres")) && File.Exists(Path.Combine(x.dir, "bin", "initdb")))
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.dir, "bin"))
            .FirstOrDefault();
    }

    // /tmp, not $TMPDIR: the unix socket path must stay short, and the postgres user must be able to reach it.
    private static string CreateShortTempDirectory()
    {
        while (true)
        {
            var path = "/tmp/mpg" + Path.GetRandomFileName()[..6];
            if (Directory.Exists(path)) continue;
            return Directory.CreateDirectory(path).FullName;
        }
    }


    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();
}
