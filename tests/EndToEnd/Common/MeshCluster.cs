using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Tests.Common;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>
/// The distributed shape as processes on loopback: real <c>mesh</c> processes in roles registry, edge and agent,
/// sharing one PostgreSQL database and one RabbitMQ virtual host of their own, configured only through the
/// <c>MESH__*</c> environment keys a compose file would set.
/// </summary>
internal sealed class MeshCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly PostgresServer _postgres;
    private readonly RabbitMqServer _rabbit;
    private readonly DockerEngine? _docker;
    private readonly List<MeshProcess> _processes = [];
    private readonly List<TempDirectory> _directories = [];

    private MeshCluster(PostgresServer postgres, RabbitMqServer rabbit, DockerEngine? docker, string connectionString, string virtualHost)
    {
        _postgres = postgres;
        _rabbit = rabbit;
        _docker = docker;
        ConnectionString = connectionString;
        VirtualHost = virtualHost;
    }

    /// <summary>The Npgsql connection string of this cluster's own database.</summary>
    public string ConnectionString { get; }

    public string VirtualHost { get; }

    /// <summary>The Docker node name the agent reports.</summary>
    public const string AgentNode = "cluster-agent-node";

    public static async Task<MeshCluster> CreateAsync(PostgresServer postgres, RabbitMqServer rabbit, DockerEngine? docker = null) =>
        new(postgres, rabbit, docker, await postgres.CreateDatabaseAsync(), await rabbit.CreateVirtualHostAsync());

    /// <summary>Starts a process in <paramref name="role"/> on a new data directory (or <paramref name="dataDir"/>, to restart one) and waits for <c>/healthz</c>.</summary>
    public async Task<MeshProcess> StartAsync(string role, CancellationToken ct, string? dataDir = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        if (dataDir is null)
        {
            var directory = new TempDirectory();
            _directories.Add(directory);
            dataDir = directory.Path;
        }
        var environment = new Dictionary<string, string?>
        {
            ["MESH__ROLE"] = role,
            ["MESH__STORE__KIND"] = "postgres",
            ["MESH__STORE__CONNECTIONSTRING"] = ConnectionString,
            ["MESH__BUS__TRANSPORT"] = "rabbitmq",
            ["MESH__BUS__RABBITMQ__HOST"] = _rabbit.Host,
            ["MESH__BUS__RABBITMQ__PORT"] = _rabbit.Port.ToString(CultureInfo.InvariantCulture),
            ["MESH__BUS__RABBITMQ__USERNAME"] = _rabbit.Username,
            ["MESH__BUS__RABBITMQ__PASSWORD"] = _rabbit.Password,
            ["MESH__BUS__RABBITMQ__VIRTUALHOST"] = VirtualHost,
            ["MESH__BUS__REQUESTTIMEOUT"] = "00:00:05",
        };
        if (role == "agent" && _docker is not null)
        {
            environment["MESH__SOURCES__DOCKER__ENDPOINT"] = _docker.Endpoint;
            environment["MESH__SOURCES__DOCKER__HOSTADDRESS"] = "127.0.0.1";
            environment["MESH__SOURCES__DOCKER__NODE"] = AgentNode;
            environment["MESH__SOURCES__DOCKER__MAXBACKOFF"] = "00:00:00.500";
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) environment[key] = value;
        var mesh = MeshProcess.Start(dataDir, environment);
        _processes.Add(mesh);
        await mesh.WaitHealthyAsync(Patience, ct);
        // An agent follows its engine once its connect reconcile is done; a container started before that is found
        // by the reconcile rather than by its start event.
        if (environment.ContainsKey("MESH__SOURCES__DOCKER__ENDPOINT"))
            await Eventually.WaitAsync(() => StatusAsync(mesh, ct), s => (long?)s["Sources"]?["docker"]?["Reconciles"] >= 1, Patience,
                "the agent's first Docker reconcile", ct, mesh.Describe);
        return mesh;
    }

    public static async Task<JsonObject> StatusAsync(MeshProcess mesh, CancellationToken ct) =>
        (await mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", ct)).Body;

    /// <summary>Waits until <paramref name="mesh"/> serves the store's head as it is now (its projection at or past it).</summary>
    public async Task WaitCaughtUpAsync(MeshProcess mesh, CancellationToken ct)
    {
        var head = await ReadHeadAsync(ct);
        await Eventually.WaitAsync(() => StatusAsync(mesh, ct), s => (long?)s["Position"] >= head, Patience,
            $"{mesh.BaseAddress} to reach position {head}", ct, mesh.Describe);
    }

    /// <summary>The whole log, read straight from PostgreSQL.</summary>
    public async Task<List<RecordedEvent>> ReadLogAsync(CancellationToken ct)
    {
        await using var store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = ConnectionString }, ct: ct);
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(1, int.MaxValue, ct)) events.Add(e);
        return events;
    }

    public async Task<long> ReadHeadAsync(CancellationToken ct)
    {
        await using var store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = ConnectionString }, ct: ct);
        return await store.ReadHeadPositionAsync(ct);
    }

    public string Describe() =>
        string.Concat(_processes.Select(p => $"{Environment.NewLine}=== {p.BaseAddress} (pid {p.ProcessId}{(p.HasExited ? ", exited" : "")}) ==={p.Describe()}"))
        + $"{Environment.NewLine}{_postgres.Describe()}{Environment.NewLine}{_rabbit.Describe()}";

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes)) await process.DisposeAsync();
        foreach (var directory in _directories) directory.Dispose();
    }
}
