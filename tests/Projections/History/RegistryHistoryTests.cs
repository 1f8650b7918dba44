using Mesh.Projections.Feed;
using Mesh.Projections.History;
using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.History;

/// <summary>
/// The registry at any position or time, rebuilt from the snapshots the projector archives in a real SQLite store
/// plus the events after them, is exactly the registry folded from the log up to that point.
/// </summary>
public sealed class RegistryHistoryTests : IAsyncLifetime
{
    private const int SnapshotEvery = 3;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-history-").FullName;
    private readonly SteppedClock _clock = new(T0);
    private SqliteEventStore _store = null!;
    private readonly List<IEvent> _incident =
    [
        Registered("docker:web-1"),
        Registered("docker:web-2"),
        Registered("docker:db-1", "db"),
        new InstanceHealthChanged("docker:web-2", "docker:web-2-http", HealthStatus.Critical, "connection refused"),
        new InstanceDeregistered("docker:web-1", "exit 137"),
        new InstanceMaintenanceChanged("docker:db-1", true, "upgrade"),
        Registered("docker:web-1") with { Port = 9090 },
        new InstanceHealthChanged("docker:web-2", "docker:web-2-http", HealthStatus.Passing, "ok"),
        new InstanceDeregistered("docker:db-1", "api"),
        Registered("docker:cache-1", "cache"),
    ];

    public ValueTask InitializeAsync()
    {
        _store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "mesh.db") }), NullLogger<SqliteEventStore>.Instance)
        {
            Clock = _clock,
        };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_state_at_every_position_is_the_log_folded_up_to_it()
    {
        await AppendIncidentAsync();
        await RunProjectorAsync();
        var history = new RegistryHistory(_store, _store);

        for (var position = 0; position <= _incident.Count; position++)
            Assert.Equal(Json(await FoldedToAsync(position)), Json(await history.StateAtAsync(position, Ct)));
        Assert.Equal(Json(await FoldedToAsync(_incident.Count)), Json(await history.StateAtAsync(1_000, Ct)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task One_history_asked_in_any_order_answers_every_position_as_the_log_folded_up_to_it(int seed)
    {
        await AppendIncidentAsync();
        await RunProjectorAsync();
        var history = new RegistryHistory(_store, _store);
        // Forwards, backwards and jumping about, several times each: the states it keeps must never leak into another answer.
        var shuffled = Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, _incident.Count + 1)).ToArray();
        new Random(seed).Shuffle(shuffled);
        int[] positions = [.. shuffled, .. Enumerable.Range(0, _incident.Count + 1).Reverse(), .. Enumerable.Range(0, _incident.Count + 1)];

        foreach (var position in positions)
            Assert.Equal(Json(await FoldedToAsync(position)), Json(await history.StateAtAsync(position, Ct)));
    }

    [Fact]
    public async Task The_projector_archives_a_snapshot_at_every_multiple_of_n_while_catching_up_and_following()
    {
        await AppendAsync(_incident.Take(4));
        var (projector, feed) = await RunProjectorAsync(stop: false);
        await AppendAsync(_incident.Skip(4));
        await feed.WaitForNewerAsync(_incident.Count - 1, TimeSpan.FromSeconds(10), Ct);

        // Snapshots taken while following are archived in the background, each on its own: wait for all of them.
        await Mesh.Tests.Common.Poll.UntilAsync(async () =>
            {
                foreach (var position in new[] { 3, 6, 9 })
                    if ((await _store.ReadSnapshotAsync(position, Ct))?.Position != position) return false;
                return true;
            },
            "the snapshots at positions 3, 6 and 9 to be archived", TimeSpan.FromSeconds(10), Ct);
        foreach (var position in new[] { 3, 6, 9 })
        {
            var archived = await _store.ReadSnapshotAsync(position, Ct);
            Assert.Equal(position, archived?.Position);
            Assert.Equal(Json(await FoldedToAsync(position)), Json(SnapshotCodec.Decode(archived!.State)!));
        }
        await projector.StopAsync(Ct);
        await projector.DisposeAsync();
    }

    [Fact]
    public async Task The_state_at_a_time_is_after_every_event_recorded_at_or_before_it()
    {
        await AppendIncidentAsync();
        var history = new RegistryHistory(_store, _store);

        // Event n (1-based) was recorded at T0 + n minutes.
        Assert.Equal(Json(RegistryState.Empty), Json(await history.StateAtAsync(T0, Ct)));
        Assert.Equal(Json(await FoldedToAsync(4)), Json(await history.StateAtAsync(T0.AddMinutes(4), Ct)));
        Assert.Equal(Json(await FoldedToAsync(4)), Json(await history.StateAtAsync(T0.AddMinutes(4.5), Ct)));
        Assert.Equal(5, await history.PositionAtAsync(T0.AddMinutes(5), Ct));
        Assert.Equal(Json(await FoldedToAsync(_incident.Count)), Json(await history.StateAtAsync(T0.AddDays(1), Ct)));
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_read_falls_back_to_an_earlier_one()
    {
        await AppendIncidentAsync();
        await RunProjectorAsync();
        await _store.SaveSnapshotAsync(8, [1, 2, 3], Ct);

        Assert.Equal(Json(await FoldedToAsync(8)), Json(await new RegistryHistory(_store, _store).StateAtAsync(8, Ct)));
    }

    [Fact]
    public async Task A_kept_state_is_not_used_once_the_archive_holds_other_bytes_for_its_snapshot()
    {
        await AppendIncidentAsync();
        await RunProjectorAsync();
        var history = new RegistryHistory(_store, _store);
        await history.StateAtAsync(8, Ct); // kept, grown from the snapshot at 6
        // The snapshot at 6 replaced on disk by one that says web-2 listens elsewhere (what `mesh verify` is there to catch).
        var real = SnapshotCodec.Decode((await _store.ReadSnapshotAsync(6, Ct))!.State)!;
        var web2 = real.Instances["docker:web-2"];
        var forged = real with { Instances = real.Instances.SetItem("docker:web-2", web2 with { Registration = web2.Registration! with { Port = 9999 } }) };
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "mesh.db")};Pooling=false"))
        {
            await db.OpenAsync(Ct);
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE snapshots SET state = $s WHERE position = 6";
            update.Parameters.AddWithValue("$s", SnapshotCodec.Encode(forged));
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
        }

        var answered = await history.StateAtAsync(8, Ct);

        // Still "the archived snapshot plus the log": the forged port shows, as it does to a history that kept nothing.
        Assert.Equal(9999, answered.Instances["docker:web-2"].Registration!.Port);
        Assert.Equal(Json(await new RegistryHistory(_store, _store).StateAtAsync(8, Ct)), Json(answered));
    }

    // The log as the store recorded it (its times too), folded from zero without snapshots.
    private async Task<RegistryState> FoldedToAsync(int position) =>
        position == 0 ? RegistryState.Empty : await RegistryProjection.FoldAsync(_store.ReadAllAsync(1, position, Ct), null, Ct);

    private Task AppendIncidentAsync() => AppendAsync(_incident);

    private async Task AppendAsync(IEnumerable<IEvent> events)
    {
        foreach (var e in events)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            var stream = e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x");
            await _store.AppendAsync(stream, ExpectedVersion.Any, [new EventData(e, EventMetadata.Empty)], Ct);
        }
    }

    private async Task<(RegistryProjector Projector, RegistryFeed Feed)> RunProjectorAsync(bool stop = true)
    {
        var options = Options.Create(new SnapshotOptions { Directory = Path.Combine(_dir, "snapshots"), SnapshotEvery = SnapshotEvery });
        var feed = new RegistryFeed();
        var projector = new RegistryProjector(_store, feed, new SnapshotStore(options), options, NullLogger<RegistryProjector>.Instance, _store);
        await projector.StartAsync(Ct);
        if (stop)
        {
            await projector.StopAsync(Ct);
            await projector.DisposeAsync();
        }
        return (projector, feed);
    }

    /// <summary>A clock the test moves: each appended event is recorded one minute after the previous one.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
