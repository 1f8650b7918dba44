using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Mesh.Registry.Tests.Common;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// The Docker source over a real engine, a real store in a temp dir, the registry and a view folded from the log:
/// everything the source talks to, without the HTTP host. Tests wait on what the view or the log shows.
/// </summary>
internal sealed class DockerSourceTestBed : IAsyncDisposable
{
    public const string Node = "docker-test-node";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly TempStore _temp = TempStore.Create("mesh-docker-");
    private readonly DockerEngine _engine;
    private DockerSource? _source;

    public DockerSourceTestBed(DockerEngine engine)
    {
        _engine = engine;
        Registry = new InstanceRegistry(Store, TimeProvider.System, new TestOutputLogger<InstanceRegistry>());
        View = new FoldingInstanceView(Store);
    }

    public SqliteEventStore Store => _temp.Store;

    public InstanceRegistry Registry { get; }

    public FoldingInstanceView View { get; }

    public DockerSourceStatus Status { get; private set; } = new("", Node);

    public static string InstanceId(string containerId) => "docker:" + containerId;

    /// <summary>What the source logged (event id and level), for tests about how it reports trouble.</summary>
    public RecordingLogger<DockerSource> Log { get; } = new();

    public async Task StartAsync(Action<DockerSourceOptions>? configure = null, bool untilReconciled = true)
    {
        var options = new DockerSourceOptions { Endpoint = _engine.Endpoint, HostAddress = "127.0.0.1", Node = Node };
        configure?.Invoke(options);
        Assert.Empty(options.Validate());
        Status = new DockerSourceStatus(options.Endpoint!, Node);
        _source = new DockerSource(Options.Create(options), DockerHostDefaults.Resolve(options), Registry, View, Store, Status,
            TimeProvider.System, Log);
        await _source.StartAsync(TestContext.Current.CancellationToken);
        if (untilReconciled) await UntilAsync(() => Status.Current.Reconciles > 0, "the first reconcile");
    }

    /// <summary>Stops the source (as a Mesh shutdown does); the store and view stay.</summary>
    public async Task StopAsync()
    {
        if (_source is null) return;
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
        _source = null;
    }

    public async Task<InstanceState> UntilRegisteredAsync(string containerId, Func<InstanceState, bool>? condition = null, string? what = null)
    {
        InstanceState? state = null;
        await UntilAsync(() => (state = View.Find(InstanceId(containerId))) is not null && (condition?.Invoke(state) ?? true),
            what ?? $"container {containerId[..12]} registered");
        return state!;
    }

    public async Task<IReadOnlyList<IInstanceEvent>> EventsAsync(string containerId)
    {
        var events = new List<IInstanceEvent>();
        await foreach (var e in Store.ReadStreamAsync(StreamName.ForInstance(InstanceId(containerId)), 0, TestContext.Current.CancellationToken))
            events.Add((IInstanceEvent)e.Event);
        return events;
    }

    /// <summary>Waits for another periodic reconcile to finish.</summary>
    public async Task UntilReconciledAgainAsync()
    {
        var seen = Status.Current.Reconciles;
        await UntilAsync(() => Status.Current.Reconciles > seen, "another reconcile");
    }

    public Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    public Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Poll.UntilAsync(condition, what, WaitLimit, TestContext.Current.CancellationToken, () => $" Source: {Status.Current}{_engine.Describe()}");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await View.DisposeAsync();
        await _temp.DisposeAsync();
    }
}
