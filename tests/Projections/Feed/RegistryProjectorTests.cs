using Mesh.Projections.Feed;
using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.Feed;

/// <summary>The projector over a real SQLite store, fed through the real registry.</summary>
public sealed class RegistryProjectorTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-projector-").FullName;
    private readonly List<IAsyncDisposable> _disposables = [];
    private SqliteEventStore _store = null!;
    private InstanceRegistry _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SnapshotOptions SnapshotOptions { get; } = new() { SnapshotEvery = 500 };

    public ValueTask InitializeAsync()
    {
        SnapshotOptions.Directory = Path.Combine(_dir, "snapshots");
        _store = OpenStore();
        _registry = new InstanceRegistry(_store, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--) await _disposables[i].DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task LiveState_AfterThousandsOfObservations_EqualsARebuildFromZero()
    {
        var (projector, feed) = await StartProjectorAsync();

        await HandleConcurrently(RandomObservations(seed: 1, count: 4_000, instances: 150, services: 12), writers: 8);
        await CaughtUp(feed);

        var live = feed.Current;
        Assert.True(live.Instances.Count > 10, "the mix should leave a populated registry");
        Assert.Equal(Json(await RebuildAsync()), Json(live));
        await projector.StopAsync(Ct);
    }

    [Fact]
    public async Task RestartFromSnapshot_ThenMoreEvents_EqualsARebuildFromZero()
    {
        var (first, firstFeed) = await StartProjectorAsync();
        await HandleConcurrently(RandomObservations(seed: 2, count: 2_000, instances: 100, services: 10), writers: 4);
        await CaughtUp(firstFeed);
        await first.StopAsync(Ct);
        var snapshot = await Snapshots().LoadAsync(Ct);
        Assert.NotNull(snapshot);
        Assert.Equal(await _store.ReadHeadPositionAsync(Ct), snapshot.Position);

        // Written while no projector runs: the restarted one must catch up from its snapshot, then follow live.
        await HandleConcurrently(RandomObservations(seed: 3, count: 500, instances: 100, services: 10), writers: 4);
        var (second, feed) = await StartProjectorAsync();
        Assert.Equal(await _store.ReadHeadPositionAsync(Ct), feed.Current.Position);
        await HandleConcurrently(RandomObservations(seed: 4, count: 1_000, instances: 100, services: 10), writers: 4);
        await CaughtUp(feed);

        Assert.Equal(Json(await RebuildAsync()), Json(feed.Current));
        await second.StopAsync(Ct);
    }

    [Fact]
    public async Task Start_FromASnapshot_DoesNotReplayWhatItHolds()
    {
        await HandleConcurrently(RandomObservations(seed: 5, count: 300, instances: 20, services: 3), writers: 2);
        var rebuilt = await RebuildAsync();
        // A snapshot that differs from the log in a way a replay would undo: only a projector that trusts it keeps the mark.
        var marked = rebuilt with { Environments = rebuilt.Environments.SetItem("from-snapshot", "integration") };
        await Snapshots().SaveAsync(marked, Ct);

        var (_, feed) = await StartProjectorAsync();

        Assert.Equal(rebuilt.Position, feed.Current.Position);
        Assert.Equal("integration", feed.Current.Environments["from-snapshot"]);
    }

    [Fact]
    public async Task Start_SnapshotAheadOfTheStore_IsDiscardedAndTheLogReplayed()
    {
        await HandleConcurrently(RandomObservations(seed: 6, count: 50, instances: 10, services: 2), writers: 1);
        var head = await _store.ReadHeadPositionAsync(Ct);
        var foreign = RegistryState.Empty with
        {
            Position = head + 1_000,
            Environments = RegistryState.Empty.Environments.SetItem("from-another-log", "integration"),
        };
        await Snapshots().SaveAsync(foreign, Ct);

        var (_, feed) = await StartProjectorAsync();

        Assert.Equal(head, feed.Current.Position);
        Assert.False(feed.Current.Environments.ContainsKey("from-another-log"));
        Assert.Equal(Json(await RebuildAsync()), Json(feed.Current));
    }

    [Fact]
    public async Task Follow_WritesASnapshotEveryNEvents()
    {
        var (_, feed) = await StartProjectorAsync();
        Assert.Null(await Snapshots().LoadAsync(Ct));

        await HandleConcurrently(RandomObservations(seed: 7, count: 1_500, instances: 50, services: 5), writers: 4);
        await CaughtUp(feed);

        var snapshot = await WaitForSnapshot(atLeast: SnapshotOptions.SnapshotEvery);
        Assert.Equal(Json(await RebuildAsync(upTo: snapshot.Position)), Json(snapshot));
    }

    [Fact]
    public async Task Start_EmptyStore_PublishesTheEmptyState()
    {
        var (projector, feed) = await StartProjectorAsync();

        Assert.Equal(0, feed.Current.Position);
        Assert.Empty(feed.Current.Instances);
        await projector.StopAsync(Ct);
        Assert.Null(await Snapshots().LoadAsync(Ct));
    }

    [Fact]
    public async Task Feed_WakesWaitersWhenAnObservationLands()
    {
        var (_, feed) = await StartProjectorAsync();
        var wait = feed.WaitForNewerAsync(0, Patience, Ct);

        var result = await _registry.HandleAsync(Seen("docker:w", "web"), Ct);

        var state = await wait.WaitAsync(Patience, Ct);
        Assert.Equal(result.Position, state.Position);
        Assert.Contains("docker:w", state.Instances.Keys);
    }

    private async Task<(RegistryProjector Projector, RegistryFeed Feed)> StartProjectorAsync()
    {
        var feed = new RegistryFeed();
        var projector = new RegistryProjector(_store, feed, Snapshots(), Options.Create(SnapshotOptions), NullLogger<RegistryProjector>.Instance);
        _disposables.Add(new ProjectorHandle(projector));
        await projector.StartAsync(Ct);
        return (projector, feed);
    }

    private SnapshotStore Snapshots() => new(Options.Create(SnapshotOptions));

    private SqliteEventStore OpenStore()
    {
        var store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "mesh.db") }), NullLogger<SqliteEventStore>.Instance);
        _disposables.Add(store);
        return store;
    }

    private async Task HandleConcurrently(IEnumerable<Observation> observations, int writers)
    {
        // Observations of one instance keep their order (same writer); different instances interleave.
        var lanes = observations.GroupBy(o => (o.InstanceId.GetHashCode(StringComparison.Ordinal) & int.MaxValue) % writers);
        await Task.WhenAll(lanes.Select(lane => Task.Run(async () =>
        {
            foreach (var observation in lane) await _registry.HandleAsync(observation, Ct);
        }, Ct)));
    }

    private async Task CaughtUp(RegistryFeed feed)
    {
        var head = await _store.ReadHeadPositionAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        while (feed.Current.Position < head) await feed.WaitForNewerAsync(feed.Current.Position, Patience, timeout.Token);
    }

    private async Task<RegistryState> RebuildAsync(long upTo = long.MaxValue)
    {
        var state = RegistryState.Empty;
        await foreach (var e in _store.ReadAllAsync(1, int.MaxValue, Ct))
        {
            if (e.Position > upTo) break;
            state = RegistryProjection.Apply(state, e);
        }
        return state;
    }

    private async Task<RegistryState> WaitForSnapshot(long atLeast)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        while (true)
        {
            if (await Snapshots().LoadAsync(timeout.Token) is { } s && s.Position >= atLeast) return s;
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class ProjectorHandle(RegistryProjector projector) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => projector.DisposeAsync();
    }
}
