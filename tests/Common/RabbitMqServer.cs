using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Tests.Common;

/// <summary>
/// A real, private RabbitMQ node: Debian's <c>rabbitmq-server</c> (<c>/usr/lib/rabbitmq/bin</c>) as a child process,
/// named <c>mesh-test-&lt;random&gt;@localhost</c>, listening for AMQP on 127.0.0.1 at a free port, its database, logs,
/// configuration, plugins file and Erlang cookie (HOME) under a temp directory. The <c>guest</c> user works, as it
/// does on loopback by default. A system node that apt may have started does not interfere: it has another name,
/// other ports and another cookie. Each test takes a fresh virtual host from <see cref="CreateVirtualHostAsync"/>,
/// so tests share the node and still run side by side. <see cref="StopAsync"/> and <see cref="StartAsync"/> take the
/// node down and up again on the same port and data (durable queues and persistent messages survive). Dispose stops
/// it and deletes its directory. Starting takes several seconds: test classes share one node as a fixture.
/// </summary>
public sealed partial class RabbitMqServer : IAsyncDisposable
{
    private const string Install = "install the Debian package rabbitmq-server (apt-get install rabbitmq-server; scripts/test.sh installs it)";
    private const string BinDirectory = "/usr/lib/rabbitmq/bin";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private Process? _server;
    private StreamWriter? _log;
    private int _distPort;

    /// <summary>The node's private directory (database, logs, configuration, cookie).</summary>
    public string WorkDirectory { get; private set; } = "";

    /// <summary>The Erlang node name, for <c>rabbitmqctl -n</c>.</summary>
    public string NodeName { get; private set; } = "";

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    public string Host => "127.0.0.1";

    public string Username => "guest";

    public string Password => "guest";

    private string LogPath => Path.Combine(WorkDirectory, "server.log");

    /// <summary>Writes the node's configuration and starts it; fails saying what to install when RabbitMQ is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "rabbitmq-server")) || !File.Exists(Path.Combine(BinDirectory, "rabbitmqctl")))
            throw new InvalidOperationException($"The RabbitMQ tests need rabbitmq-server and rabbitmqctl under {BinDirectory}; {Install}.");

        WorkDirectory = Directory.CreateTempSubdirectory("mesh-rabbitmq-").FullName;
        NodeName = $"mesh-test-{Path.GetRandomFileName()[..8]}@localhost";
        try
        {
            foreach (var dir in (string[])["mnesia", "log"]) Directory.CreateDirectory(Path.Combine(WorkDirectory, dir));
            await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "enabled_plugins"), "[].\n");
            await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "rabbitmq-env.conf"), "");
            await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "rabbitmq.conf"), string.Join('\n',
                "loopback_users.guest = true",
                // A nearly full test disk must not block publishers (the default limit is 50 MB free).
                "disk_free_limit.absolute = 1MB",
                "log.console = true",
                "log.file = false",
                ""));
            // A free port may be taken between the check and the node binding it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Port = ServerProcess.FreePort();
                _distPort = ServerProcess.FreePort();
                try
                {
                    await StartAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 5 && Describe().Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
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

    /// <summary>Starts the node on <see cref="Port"/> and waits until it has booted (<c>rabbitmqctl await_startup</c>).</summary>
    public async Task StartAsync()
    {
        if (_server is not null) throw new InvalidOperationException("RabbitMQ is running.");
        var info = Command("rabbitmq-server", []);
        _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var server = ServerProcess.Start(info, _log);
        _server = server;
        // The AMQP listener opens late in the boot; only then is await_startup worth its CLI start-up.
        try
        {
            await ServerProcess.WaitUntilServingAsync(server, AcceptsConnectionsAsync, $"RabbitMQ listening on {Host}:{Port}",
                Patience, TimeSpan.FromMilliseconds(100), Describe);
        }
        catch (InvalidOperationException)
        {
            _server = null;
            server.Dispose();
            throw;
        }
        await CtlAsync("await_startup", "--timeout", ((int)Patience.TotalSeconds).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Stops the node (as an operator would: connections are closed) and waits until its process has exited.</summary>
    public async Task StopAsync()
    {
        if (_server is null) return;
        var server = _server;
        _server = null;
        try
        {
            if (!server.HasExited) await CtlAsync("shutdown");
            using var timeout = new CancellationTokenSource(Patience);
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }
        server.Dispose();
    }

    /// <summary>A new virtual host (<c>mesh-&lt;random&gt;</c>) that <c>guest</c> may use fully; returns its name.</summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        var name = "mesh-" + Guid.NewGuid().ToString("N")[..12];
        // One CLI call instead of add_vhost + set_permissions: each call starts an Erlang VM.
        await CtlAsync("eval",
            $"ok = rabbit_vhost:add(<<\"{name}\">>, <<\"mesh-tests\">>), " +
            $"ok = rabbit_auth_backend_internal:set_permissions(<<\"guest\">>, <<\"{name}\">>, <<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"mesh-tests\">>).");
        return name;
    }

    /// <summary>The queues of <paramref name="virtualHost"/> and how many messages each holds (ready and unacknowledged).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ListQueuesAsync(string virtualHost)
    {
        var output = await CtlAsync("list_queues", "-p", virtualHost, "name", "messages", "--quiet", "--no-table-headers");
        var queues = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields.Length == 2 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
                queues[fields[0]] = count;
        }
        return queues;
    }

    /// <summary>Runs <c>rabbitmqctl -n &lt;node&gt; args</c>; returns its output, throws with it when it fails.</summary>
    public async Task<string> CtlAsync(params string[] args)
    {
        using var process = Process.Start(Command("rabbitmqctl", ["-n", NodeName, .. args]))
            ?? throw new InvalidOperationException("Could not start rabbitmqctl.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {string.Join(' ', args)} did not finish within {Patience.TotalSeconds} s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} exited with {process.ExitCode}: {(await stdout).Trim()} {(await stderr).Trim()}{Describe()}");
        return await stdout;
    }

    /// <summary>The node's log, for failure messages.</summary>
    public string Describe() => ServerProcess.LogTail(LogPath, "rabbitmq");

    public async ValueTask DisposeAsync()
    {
        if (WorkDirectory.Length == 0) return;
        try
        {
            await StopAsync();
        }
        finally
        {
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
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private ProcessStartInfo Command(string program, string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(BinDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkDirectory,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var env = info.Environment;
        // The Erlang cookie lives in $HOME: a private one, shared by this node and the rabbitmqctl calls on it.
        env["HOME"] = WorkDirectory;
        env["LC_ALL"] = "C.UTF-8";
        env["RABBITMQ_NODENAME"] = NodeName;
        env["RABBITMQ_NODE_IP_ADDRESS"] = Host;
        env["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = _distPort.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(WorkDirectory, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(WorkDirectory, "log");
        env["RABBITMQ_LOGS"] = "-";
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(WorkDirectory, "rabbitmq.conf");
        env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(WorkDirectory, "advanced.config");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(WorkDirectory, "enabled_plugins");
        env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(WorkDirectory, "rabbitmq-env.conf");
        env["RABBITMQ_PID_FILE"] = Path.Combine(WorkDirectory, "rabbitmq.pid");
        // Loopback only: the distribution listener and an epmd this node starts, too.
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        return info;
    }
}
