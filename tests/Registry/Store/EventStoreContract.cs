using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

using Xunit;

namespace Mesh.Registry.Tests.Store;

/// <summary>
/// What every <see cref="IEventStore"/> backend must do. A backend's test class derives from this and says how to
/// create a fresh store, reopen it and plant an event of an unknown type; every test here then runs against it.
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store that belongs to the current test.</summary>
    protected abstract ValueTask<IEventStore> CreateStoreAsync();

    /// <summary>Disposes <paramref name="store"/> and opens a new instance over the same data.</summary>
    protected abstract ValueTask<IEventStore> ReopenAsync(IEventStore store);

    /// <summary>
    /// Puts an event of type <paramref name="type"/> (which this code does not know) at the end of
    /// <paramref name="stream"/>, as an older or newer Mesh might have, and returns a store that sees it.
    /// </summary>
    protected abstract ValueTask<IEventStore> PlantEventOfUnknownTypeAsync(IEventStore store, StreamName stream, string type);

    /// <summary>How many write transactions the store has committed, or null when the backend cannot tell.</summary>
    protected virtual long? CommittedTransactions(IEventStore store) => null;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    // ---- append ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Append_NewStreamWithNoStream_StartsAtVersionZeroAndPositionOne()
    {
        var store = await CreateStoreAsync();

        var result = await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one"), Health("a", "two")], Ct);

        Assert.Equal(new AppendResult(StreamVersion: 1, Position: 2), result);
        var events = await ReadStream(store, Stream("a"));
        Assert.Equal([0L, 1L], events.Select(e => e.StreamVersion));
        Assert.Equal([1L, 2L], events.Select(e => e.Position));
        Assert.Equal(2, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_ExactExpectedVersion_Appends()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);

        var result = await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", "two")], Ct);

        Assert.Equal(1, result.StreamVersion);
        Assert.Equal(["one", "two"], (await ReadStream(store, Stream("a"))).Select(OutputOf));
    }

    [Fact]
    public async Task Append_Any_AppendsToNewAndExistingStreams()
    {
        var store = await CreateStoreAsync();

        var first = await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "one")], Ct);
        var second = await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "two")], Ct);

        Assert.Equal(0, first.StreamVersion);
        Assert.Equal(1, second.StreamVersion);
    }

    [Theory]
    [InlineData(-1L)] // NoStream on an existing stream
    [InlineData(0L)] // one behind
    [InlineData(5L)] // ahead
    public async Task Append_WrongExpectedVersion_ThrowsWithActualVersionAndWritesNothing(long expected)
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one"), Health("a", "two")], Ct);

        var ex = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(Stream("a"), new ExpectedVersion(expected), [Health("a", "three")], Ct));

        Assert.Equal(1, ex.ActualVersion);
        Assert.Equal(Stream("a"), ex.Stream);
        Assert.Equal(expected, ex.Expected.Value);
        Assert.Equal(["one", "two"], (await ReadStream(store, Stream("a"))).Select(OutputOf));
        Assert.Equal(2, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_ExactVersionOnMissingStream_ThrowsWithNoStream()
    {
        var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", "one")], Ct));

        Assert.Equal(-1, ex.ActualVersion);
        Assert.Contains("no stream", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_ConcurrentWithSameExpectedVersion_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "first")], Ct);

        var attempts = Enumerable.Range(0, 32)
            .Select(i => Task.Run(() => store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", $"writer-{i}")], Ct), Ct))
            .ToArray();
        var outcomes = await Outcomes(attempts);

        var winner = Assert.Single(outcomes, o => o.Result is not null);
        var losers = outcomes.Where(o => o.Result is null).ToList();
        Assert.Equal(31, losers.Count);
        Assert.All(losers, o => Assert.Equal(1, Assert.IsType<WrongExpectedVersionException>(o.Error).ActualVersion));
        var events = await ReadStream(store, Stream("a"));
        Assert.Equal(2, events.Count);
        Assert.Equal(winner.Result!.Value.Position, events[1].Position);
    }

    [Fact]
    public async Task Append_FailedExpectationInABatch_DoesNotFailTheOthers()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("taken"), ExpectedVersion.NoStream, [Health("taken", "first")], Ct);

        // Issued together so that they are written together.
        var good = Enumerable.Range(0, 100)
            .Select(i => store.AppendAsync(Stream($"s{i}"), ExpectedVersion.NoStream, [Health($"s{i}", "ok")], Ct))
            .ToList();
        var bad = store.AppendAsync(Stream("taken"), ExpectedVersion.NoStream, [Health("taken", "again")], Ct);
        good.AddRange(Enumerable.Range(100, 100)
            .Select(i => store.AppendAsync(Stream($"s{i}"), ExpectedVersion.NoStream, [Health($"s{i}", "ok")], Ct)));

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => bad);
        var results = await Task.WhenAll(good);
        Assert.All(results, r => Assert.Equal(0, r.StreamVersion));
        Assert.Equal(Enumerable.Range(2, 200).Select(p => (long)p), results.Select(r => r.Position).Order());
        Assert.Single(await ReadStream(store, Stream("taken")));
        Assert.Equal(201, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_ManyConcurrentSingleEvents_ShareTransactions()
    {
        var store = await CreateStoreAsync();
        var before = CommittedTransactions(store);
        Assert.SkipWhen(before is null, "This backend does not count its transactions.");

        var appends = Enumerable.Range(0, 1_000)
            .Select(i => store.AppendAsync(Stream($"s{i}"), ExpectedVersion.NoStream, [Health($"s{i}", "ok")], Ct))
            .ToArray();
        await Task.WhenAll(appends);

        var transactions = CommittedTransactions(store)!.Value - before!.Value;
        Assert.InRange(transactions, 1, 999);
        Assert.Equal(1_000, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_NoEvents_IsRefused()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(Stream("a"), ExpectedVersion.Any, [], Ct));
    }

    // ---- read --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ReadStream_FromVersion_ReturnsThatVersionOnwards()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [.. Enumerable.Range(0, 5).Select(i => Health("a", $"e{i}"))], Ct);
        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [Health("b", "other")], Ct);

        var events = await ReadStream(store, Stream("a"), fromVersion: 3);

        Assert.Equal(["e3", "e4"], events.Select(OutputOf));
        Assert.Equal([3L, 4L], events.Select(e => e.StreamVersion));
        Assert.All(events, e => Assert.Equal(Stream("a"), e.Stream));
    }

    [Fact]
    public async Task ReadStream_UnknownStream_IsEmpty()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await ReadStream(store, Stream("nobody")));
    }

    [Fact]
    public async Task ReadAll_FromPositionWithMaxCount_ReturnsThatSliceInOrder()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 10; i++)
            await store.AppendAsync(Stream($"s{i % 3}"), ExpectedVersion.Any, [Health($"s{i % 3}", $"e{i}")], Ct);

        var slice = await store.ReadAllAsync(4, 3, Ct).ToListAsync(Ct);
        var rest = await store.ReadAllAsync(8, int.MaxValue, Ct).ToListAsync(Ct);
        var beyond = await store.ReadAllAsync(11, int.MaxValue, Ct).ToListAsync(Ct);

        Assert.Equal([4L, 5L, 6L], slice.Select(e => e.Position));
        Assert.Equal(["e3", "e4", "e5"], slice.Select(OutputOf));
        Assert.Equal([8L, 9L, 10L], rest.Select(e => e.Position));
        Assert.Empty(beyond);
    }

    [Fact]
    public async Task ReadAll_LongerThanOnePage_IsGapFreeFromOne()
    {
        var store = await CreateStoreAsync();
        const int total = 10_000;
        for (var batch = 0; batch < total / 500; batch++)
            await store.AppendAsync(Stream($"s{batch}"), ExpectedVersion.NoStream, [.. Enumerable.Range(0, 500).Select(i => Health($"s{batch}", $"{i}"))], Ct);

        var all = await store.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct);
        var slice = await store.ReadAllAsync(3_999, 5_000, Ct).ToListAsync(Ct);

        Assert.Equal(Enumerable.Range(1, total).Select(p => (long)p), all.Select(e => e.Position));
        Assert.Equal(Enumerable.Range(3_999, 5_000).Select(p => (long)p), slice.Select(e => e.Position));
    }

    [Fact]
    public async Task ReadAll_WhileOthersAppend_EndsAtTheHeadOfWhenItWasCalled()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [.. Enumerable.Range(0, 6_000).Select(i => Health("a", $"{i}"))], Ct);
        await using var reading = store.ReadAllAsync(1, int.MaxValue, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await reading.MoveNextAsync());

        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [.. Enumerable.Range(0, 6_000).Select(i => Health("b", $"{i}"))], Ct);
        var last = reading.Current;
        while (await reading.MoveNextAsync()) last = reading.Current;

        Assert.Equal(6_000, last.Position);
        Assert.Equal(12_000, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task ReadAll_EmptyStore_IsEmptyAndHeadIsZero()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct));
        Assert.Equal(0, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_EventAndMetadata_RoundTrip()
    {
        var store = await CreateStoreAsync();
        var registered = Registered("docker:abc");
        var metadata = new EventMetadata(
            SourceTime: new DateTimeOffset(2024, 5, 17, 14, 3, 12, 345, TimeSpan.FromHours(2)),
            CorrelationId: "req-42",
            SourceFactId: "1715947392345000000:start",
            RawPayload: """{"status":"start","id":"abc","Actor":{"Attributes":{"mesh.env":"integration"}}}""");

        await store.AppendAsync(Stream("docker:abc"), ExpectedVersion.NoStream, [new EventData(registered, metadata), new EventData(Health("docker:abc", "plain").Event)], Ct);

        var events = await ReadStream(store, Stream("docker:abc"));
        Assert.Equal("InstanceRegistered", events[0].Type);
        Assert.Equal(Json(registered), Json(events[0].Event));
        Assert.Equal(metadata, events[0].Metadata);
        Assert.Equal(metadata.SourceTime!.Value.Offset, events[0].Metadata.SourceTime!.Value.Offset);
        Assert.Equal(EventMetadata.Empty, events[1].Metadata);
        var fromAll = await store.ReadAllAsync(1, 1, Ct).SingleAsync(Ct);
        Assert.Equal(metadata, fromAll.Metadata);
    }

    [Fact]
    public async Task Append_SetsRecordedAtToTheTimeOfWriting()
    {
        var store = await CreateStoreAsync();
        var before = DateTimeOffset.UtcNow;

        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);

        var after = DateTimeOffset.UtcNow;
        var recorded = (await ReadStream(store, Stream("a"))).Single().RecordedAt;
        Assert.Equal(TimeSpan.Zero, recorded.Offset);
        // Backends may store coarser time than DateTimeOffset.UtcNow; a millisecond either side covers that.
        Assert.InRange(recorded, before.AddMilliseconds(-1), after.AddMilliseconds(1));
    }

    [Fact]
    public async Task Read_EventOfUnknownType_FailsNamingTheTypeAndPosition()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "known")], Ct);
        store = await PlantEventOfUnknownTypeAsync(store, Stream("a"), "InstanceTeleported");

        var fromAll = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct));
        var fromStream = await Assert.ThrowsAsync<InvalidDataException>(() => ReadStream(store, Stream("a")));

        foreach (var ex in new[] { fromAll, fromStream })
        {
            Assert.Contains("'InstanceTeleported'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("position 2", ex.Message, StringComparison.Ordinal);
        }
        Assert.Single(await store.ReadAllAsync(1, 1, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task PositionAt_NamesTheLastEventRecordedAtOrBeforeTheTime()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(0, await store.ReadPositionAtAsync(DateTimeOffset.UtcNow, Ct));
        await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "one")], Ct);
        await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "two")], Ct);
        var events = await ReadStream(store, Stream("a"));

        Assert.Equal(0, await store.ReadPositionAtAsync(events[0].RecordedAt.AddTicks(-1), Ct));
        Assert.Equal(events[1].RecordedAt == events[0].RecordedAt ? 2 : 1, await store.ReadPositionAtAsync(events[0].RecordedAt, Ct));
        Assert.Equal(2, await store.ReadPositionAtAsync(events[1].RecordedAt, Ct));
        Assert.Equal(2, await store.ReadPositionAtAsync(DateTimeOffset.MaxValue, Ct));
    }

    [Fact]
    public async Task Snapshots_TheNearestAtOrBeforeAPositionIsRead_AndTheFirstSavedAtAPositionIsKept()
    {
        if (await CreateStoreAsync() is not ISnapshotArchive archive) return;

        Assert.Null(await archive.ReadSnapshotAsync(100, Ct));
        await archive.SaveSnapshotAsync(10, [1], Ct);
        await archive.SaveSnapshotAsync(20, [2], Ct);
        await archive.SaveSnapshotAsync(20, [3], Ct);

        Assert.Null(await archive.ReadSnapshotAsync(9, Ct));
        Assert.Equal("10:01", await Read(archive, 19));
        Assert.Equal("20:02", await Read(archive, 20));
        Assert.Equal("20:02", await Read(archive, long.MaxValue));

        static async Task<string> Read(ISnapshotArchive archive, long position) =>
            await archive.ReadSnapshotAsync(position, Ct) is { } s ? $"{s.Position}:{Convert.ToHexString(s.State)}" : "none";
    }

    // ---- reopen ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Reopen_KeepsEverythingAndContinuesPositionsAndVersions()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one"), Health("a", "two")], Ct);
        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [Health("b", "three")], Ct);

        store = await ReopenAsync(store);

        Assert.Equal(3, await store.ReadHeadPositionAsync(Ct));
        Assert.Equal(["one", "two", "three"], (await store.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct)).Select(OutputOf));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "clash")], Ct));
        var next = await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "four")], Ct);
        Assert.Equal(new AppendResult(StreamVersion: 2, Position: 4), next);
    }

    // ---- subscribe ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task SubscribeAll_FromOne_CatchesUpThenGoesLive()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "old-1"), Health("a", "old-2")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(1, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var caughtUp = await Take(subscription, 2);
        var pendingNext = subscription.MoveNextAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "live-1")], Ct);
        Assert.True(await pendingNext);
        var live = subscription.Current;
        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [Health("b", "live-2")], Ct);
        var more = await Take(subscription, 1);

        Assert.Equal(["old-1", "old-2"], caughtUp.Select(OutputOf));
        Assert.Equal((3L, "live-1"), (live.Position, OutputOf(live)));
        Assert.Equal((4L, "live-2"), (more[0].Position, OutputOf(more[0])));
    }

    [Fact]
    public async Task SubscribeAll_FromTheMiddle_StartsAtThatPosition()
    {
        var store = await CreateStoreAsync();
        for (var i = 1; i <= 6; i++)
            await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", $"e{i}")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(4, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var caughtUp = await Take(subscription, 3);
        var pendingNext = subscription.MoveNextAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "e7")], Ct);

        Assert.True(await pendingNext);
        Assert.Equal([4L, 5L, 6L, 7L], caughtUp.Append(subscription.Current).Select(e => e.Position));
    }

    [Fact]
    public async Task SubscribeAll_FromBeyondTheHead_WaitsForThatPosition()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "e1")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(3, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var pendingNext = subscription.MoveNextAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "e2")], Ct);
        await store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "e3")], Ct);

        Assert.True(await pendingNext);
        Assert.Equal((3L, "e3"), (subscription.Current.Position, OutputOf(subscription.Current)));
    }

    [Fact]
    public async Task SubscribeAll_Cancelled_Ends()
    {
        var store = await CreateStoreAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var subscription = store.SubscribeAllAsync(1, cts.Token).GetAsyncEnumerator(cts.Token);

        var pendingNext = subscription.MoveNextAsync().AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pendingNext.WaitAsync(Patience, Ct));
    }

    [Fact]
    public async Task SubscribeAll_WhileManyWritersAppend_SeesEveryPositionOnceInOrder()
    {
        var store = await CreateStoreAsync();
        const int writers = 8, perWriter = 500, total = writers * perWriter;
        using var timeout = Timeout();

        // One subscriber from the start, one that joins part way through.
        var fromStart = Task.Run(() => Collect(store, 1, total, timeout.Token), Ct);
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var sharedVersions = new Dictionary<string, long>();
            for (var i = 0; i < perWriter; i++)
            {
                var payload = Health($"w{w}", $"{w}/{i}");
                if (i % 2 == 0)
                {
                    await store.AppendAsync(Stream($"w{w}-{i}"), ExpectedVersion.NoStream, [payload], timeout.Token);
                    continue;
                }
                // Every writer also contends on four shared streams, retrying with the version the conflict reports.
                var shared = $"shared-{i % 4}";
                var expected = sharedVersions.GetValueOrDefault(shared, -1);
                while (true)
                {
                    try
                    {
                        var r = await store.AppendAsync(Stream(shared), ExpectedVersion.After(expected), [payload], timeout.Token);
                        sharedVersions[shared] = r.StreamVersion;
                        break;
                    }
                    catch (WrongExpectedVersionException ex)
                    {
                        expected = ex.ActualVersion;
                    }
                }
            }
        }, Ct)).ToArray();
        await WaitUntil(async () => await store.ReadHeadPositionAsync(Ct) >= total / 2, timeout.Token);
        var joined = await store.ReadHeadPositionAsync(Ct);
        var fromMiddle = Task.Run(() => Collect(store, joined, total - joined + 1, timeout.Token), Ct);
        await Task.WhenAll(writing);

        var all = await fromStart;
        var late = await fromMiddle;

        Assert.Equal(Enumerable.Range(1, total).Select(p => (long)p), all.Select(e => e.Position));
        Assert.Equal(
            Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => $"{w}/{i}")).Order(StringComparer.Ordinal),
            all.Select(OutputOf).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range((int)joined, total - (int)joined + 1).Select(p => (long)p), late.Select(e => e.Position));
        foreach (var stream in all.GroupBy(e => e.Stream))
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.StreamVersion));
        var sharedEvents = 0;
        for (var s = 0; s < 4; s++) sharedEvents += (await ReadStream(store, Stream($"shared-{s}"))).Count;
        Assert.Equal(total / 2, sharedEvents);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    protected static StreamName Stream(string id) => StreamName.ForInstance(id);

    protected static EventData Health(string instanceId, string output) =>
        new(new InstanceHealthChanged(instanceId, "check", HealthStatus.Passing, output));

    protected static InstanceRegistered Registered(string instanceId) => new(
        instanceId, "web", "integration", "10.0.0.7", 8080,
        ["v2", "primary"],
        new SortedDictionary<string, string> { ["mesh-version"] = "1.4.2", ["team"] = "edge" }.ToImmutableSortedDictionary(),
        [new RouteSpec("web.example.test", "/api", StripPrefix: true)],
        "1.4.2", "docker", "node-1",
        [new CheckSpec("web-http", "HTTP on /health", CheckKind.Http, "http://10.0.0.7:8080/health",
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), HealthStatus.Critical)]);

    protected static string OutputOf(RecordedEvent e) => ((InstanceHealthChanged)e.Event).Output;

    protected static string Json(IEvent e) => JsonSerializer.Serialize(e, e.GetType(), EventSerializer.Options);

    protected static Task<List<RecordedEvent>> ReadStream(IEventStore store, StreamName stream, long fromVersion = 0) =>
        store.ReadStreamAsync(stream, fromVersion, Ct).ToListAsync(Ct).AsTask();

    protected static CancellationTokenSource Timeout()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Patience);
        return cts;
    }

    protected static async Task<List<RecordedEvent>> Take(IAsyncEnumerator<RecordedEvent> subscription, int count)
    {
        var taken = new List<RecordedEvent>();
        while (taken.Count < count && await subscription.MoveNextAsync()) taken.Add(subscription.Current);
        return taken;
    }

    protected static async Task<List<RecordedEvent>> Collect(IEventStore store, long from, long count, CancellationToken ct)
    {
        var seen = new List<RecordedEvent>();
        await foreach (var e in store.SubscribeAllAsync(from, ct))
        {
            seen.Add(e);
            if (seen.Count == count) break;
        }
        return seen;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition()) await Task.Delay(5, ct);
    }

    private static async Task<List<(AppendResult? Result, Exception? Error)>> Outcomes(IEnumerable<Task<AppendResult>> tasks)
    {
        var outcomes = new List<(AppendResult?, Exception?)>();
        foreach (var task in tasks)
        {
            try { outcomes.Add((await task, null)); }
            catch (Exception ex) { outcomes.Add((null, ex)); }
        }
        return outcomes;
    }
}
