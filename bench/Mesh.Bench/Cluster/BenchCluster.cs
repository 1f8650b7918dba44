using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Mesh.Registry.Store.Postgres;
using Mesh.Tests.Common;

namespace Mesh.Bench.Cluster;

/// <summary>
/// The distributed shape on loopback, as the cluster tests start it (tests/EndToEnd/Common/MeshCluster): a private
/// PostgreSQL (the shared log) and a private RabbitMQ node (the bus), and real <c>mesh</c> processes
/// (<c>dotnet mesh.dll run</c>, from this bench's output) in roles registry and edge, configured only through
/// <c>MESH__*</c> environment variables, logging at Warning. Dispose kills the processes, deletes their data
/// directories and stops both servers, whatever failed.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<MeshProcess> _processes = [];
    private readonly List<string> _directories = [];
    private PostgresServer? _postgres;
    private RabbitMqServer? _rabbit;

    private BenchCluster()
    {
    }

    /// <summary>The Npgsql connection string of the cluster's database.</summary>
    public string ConnectionString { get; private set; } = "";

    public string VirtualHost { get; private set; } = "";

    /// <summary>Starts PostgreSQL and RabbitMQ side by side and makes the cluster's database and virtual host.</summary>
    public static async Task<BenchCluster> StartAsync()
    {
        var cluster = new BenchCluster();
        try
        {
            var postgres = new PostgresServer();
            var rabbit = new RabbitMqServer();
            cluster._postgres = postgres;
            cluster._rabbit = rabbit;
            await Task.WhenAll(postgres.InitializeAsync().AsTask(), rabbit.InitializeAsync().AsTask());
            cluster.ConnectionString = await postgres.CreateDatabaseAsync();
            cluster.VirtualHost = await rabbit.CreateVirtualHostAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A <c>mesh</c> process in <paramref name="role"/> on a fresh data directory, once <c>/healthz</c> answers.</summary>
    public async Task<MeshProcess> StartMeshAsync(string role, CancellationToken ct)
    {
        var dataDir = Directory.CreateTempSubdirectory($"mesh-bench-{role}-").FullName;
        _directories.Add(dataDir);
        var environment = new Dictionary<string, string?>
        {
            ["MESH__ROLE"] = role,
            ["MESH__STORE__KIND"] = "postgres",
            ["MESH__STORE__CONNECTIONSTRING"] = ConnectionString,
            ["MESH__BUS__TRANSPORT"] = "rabbitmq",
            ["MESH__BUS__RABBITMQ__HOST"] = _rabbit!.Host,
            ["MESH__BUS__RABBITMQ__PORT"] = _rabbit.Port.ToString(CultureInfo.InvariantCulture),
            ["MESH__BUS__RABBITMQ__USERNAME"] = _rabbit.Username,
            ["MESH__BUS__RABBITMQ__PASSWORD"] = _rabbit.Password,
            ["MESH__BUS__RABBITMQ__VIRTUALHOST"] = VirtualHost,
            ["MESH__BUS__REQUESTTIMEOUT"] = "00:00:05",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var mesh = MeshProcess.Start(dataDir, environment);
        _processes.Add(mesh);
        await mesh.WaitHealthyAsync(Patience, ct);
        return mesh;
    }

    /// <summary>The cluster's log, opened in this process (its schema is made on open).</summary>
    public Task<PostgresEventStore> OpenStoreAsync(CancellationToken ct) =>
        PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = ConnectionString }, ct: ct);

    public static async Task<JsonObject> StatusAsync(HttpClient client, CancellationToken ct) =>
        await client.GetFromJsonAsync<JsonObject>("/v1/mesh/status", ct) ?? throw new InvalidOperationException("/v1/mesh/status answered null");

    /// <summary>Waits until <paramref name="mesh"/> serves <paramref name="position"/> or later.</summary>
    public async Task WaitForPositionAsync(MeshProcess mesh, long position, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience);
        try
        {
            while ((long?)(await StatusAsync(mesh.Client, timeout.Token))["Position"] < position) await Task.Delay(20, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{mesh.BaseAddress} did not reach position {position} within {Patience.TotalSeconds} s.{Describe()}");
        }
    }

    /// <summary>What each process printed, for failure messages.</summary>
    public string Describe() =>
        string.Concat(_processes.Select(p => $"{Environment.NewLine}=== {p.BaseAddress} (pid {p.ProcessId}{(p.HasExited ? ", exited" : "")}) ==={p.Describe()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            try { await process.DisposeAsync(); }
            catch (Exception ex) { Console.Error.WriteLine($"stopping mesh pid {process.ProcessId}: {ex.Message}"); }
        }
        foreach (var directory in _directories)
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        try
        {
            if (_rabbit is not null) await _rabbit.DisposeAsync();
        }
        finally
        {
            if (_postgres is not null) await _postgres.DisposeAsync();
        }
    }
}
