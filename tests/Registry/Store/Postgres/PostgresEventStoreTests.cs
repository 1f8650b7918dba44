using System.Diagnostics;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Tests.Common;
using Npgsql;

using Xunit;

namespace Mesh.Registry.Tests.Store.Postgres;

/// <summary>
/// The event store contract against a real PostgreSQL server (a private one per collection, a fresh database per
/// test), plus what only a shared server store does: several processes appending at once, notifications and the
/// poll behind them, the schema migrated by whoever comes first, and a server that goes away and comes back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreTests(PostgresServer server) : EventStoreContract
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<PostgresEventStore> _open = [];
    private string _connectionString = "";

    private string Database => new NpgsqlConnectionStringBuilder(_connectionString).Database!;

    public override async ValueTask InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var store in _open) await store.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override async ValueTask<IEventStore> CreateStoreAsync() => await OpenAsync();

    protected override async ValueTask<IEventStore> ReopenAsync(IEventStore store)
    {
        await Close(store);
        return await OpenAsync();
    }

    protected override async ValueTask<IEventStore> PlantEventOfUnknownTypeAsync(IEventStore store, StreamName stream, string type)
    {
        await InsertBehindTheStoreAsync(stream, type, """{"instanceId":"x"}"""u8.ToArray());
        return store;
    }

    protected override long? CommittedTransactions(IEventStore store) => ((PostgresEventStore)store).CommittedTransactions;

    // ---- several processes ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Append_FromTwoProcessesAtOnce_PositionsAreGapFreeAndEverySubscriberSeesEachEventOnceInOrder()
    {
        const int writers = 4, perWriter = 250, sharedStreams = 4, total = 2 * writers * perWriter;
        var first = await OpenAsync();
        var second = await OpenAsync();
        using var timeout = Timeout();
        // Two subscribers on two store instances (two listeners), both there before the first append.
        var fromFirst = Task.Run(() => Collect(first, 1, total, timeout.Token), Ct);
        var fromSecond = Task.Run(() => Collect(second, 1, total, timeout.Token), Ct);

        await using var a = AppendWorker.Start(_connectionString, "a", writers, perWriter, sharedStreams);
        await using var b = AppendWorker.Start(_connectionString, "b", writers, perWriter, sharedStreams);
        await Task.WhenAll(a.WaitUntilReadyAsync(timeout.Token), b.WaitUntilReadyAsync(timeout.Token));
        await Task.WhenAll(a.GoAsync(), b.GoAsync());
        var outcomes = await Task.WhenAll(a.WaitForExitAsync(timeout.Token), b.WaitForExitAsync(timeout.Token));

        Assert.All(outcomes, o => Assert.True(o.ExitCode == 0 && o.Output.Contains($"done {writers * perWriter}", StringComparison.Ordinal), o.ToString()));
        var seenFirst = await fromFirst;
        var seenSecond = await fromSecond;
        var all = await first.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct);
        Assert.Equal(total, await first.ReadHeadPositionAsync(Ct));
        Assert.Equal(Enumerable.Range(1, total).Select(p => (long)p), all.Select(e => e.Position));
        Assert.Equal(all.Select(Identity), seenFirst.Select(Identity));
        Assert.Equal(all.Select(Identity), seenSecond.Select(Identity));
        var expected = new[] { "a", "b" }
            .SelectMany(worker => Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => $"{worker}/{w}/{i}")));
        Assert.Equal(expected.Order(StringComparer.Ordinal), all.Select(OutputOf).Order(StringComparer.Ordinal));
        foreach (var stream in all.GroupBy(e => e.Stream))
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.StreamVersion));
        Assert.Equal(total / 2, all.Count(e => e.Stream.Value.StartsWith("instance-shared-", StringComparison.Ordinal)));
        var fromA = all.Where(e => OutputOf(e).StartsWith("a/", StringComparison.Ordinal)).Select(e => e.Position).ToList();
        var fromB = all.Where(e => OutputOf(e).StartsWith("b/", StringComparison.Ordinal)).Select(e => e.Position).ToList();
        Assert.True(fromA.Min() < fromB.Max() && fromB.Min() < fromA.Max(), "the two processes' appends did not overlap, so this run proved nothing about concurrent appenders");
        // One clock for every writer: recorded times never go back as positions go forward.
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.RecordedAt <= p.Second.RecordedAt));

        static (long, StreamName, long, string) Identity(RecordedEvent e) => (e.Position, e.Stream, e.StreamVersion, OutputOf(e));
    }

    [Fact]
    public async Task Append_TwoStoresOnOneDatabase_ConflictOnExpectedVersionAcrossThem()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        await first.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "first")], Ct);

        var ex = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            second.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "second")], Ct));
        var next = await second.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", "second")], Ct);

        Assert.Equal(0, ex.ActualVersion);
        Assert.Equal(new AppendResult(StreamVersion: 1, Position: 2), next);
        Assert.Equal(["first", "second"], (await ReadStream(first, Stream("a"))).Select(OutputOf));
    }

    // ---- notifications and the poll --------------------------------------------------------------------------------

    [Fact]
    public async Task SubscribeAll_AppendFromAnotherStore_IsDelivered()
    {
        var subscriber = await OpenAsync();
        var writer = await OpenAsync();
        using var timeout = Timeout();
        await using var subscription = subscriber.SubscribeAllAsync(1, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var pendingNext = subscription.MoveNextAsync();
        await writer.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "from elsewhere")], Ct);

        Assert.True(await pendingNext);
        Assert.Equal((1L, "from elsewhere"), (subscription.Current.Position, OutputOf(subscription.Current)));
    }

    [Fact]
    public async Task SubscribeAll_EventCommittedWithoutNotification_IsDeliveredByThePoll()
    {
        var store = await OpenAsync(pollInterval: TimeSpan.FromMilliseconds(200));
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "notified")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(1, timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await subscription.MoveNextAsync());

        // Caught up, listening and parked: nothing but the poll can wake it now.
        var pendingNext = subscription.MoveNextAsync();
        await Poll.UntilAsync(() => Task.FromResult(store.Listening && store.WaitingSubscriptions == 1), "the subscription to wait", Patience, Ct);
        await InsertBehindTheStoreAsync(Stream("a"), EventTypes.NameOf(Health("a", "x").Event),
            EventSerializer.Serialize(Health("a", "never notified").Event));

        Assert.True(await pendingNext);
        Assert.Equal((2L, "never notified"), (subscription.Current.Position, OutputOf(subscription.Current)));
    }

    // ---- schema ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Open_ManyStoresAtOnceOnAnEmptyDatabase_MigrateTheSchemaOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => OpenAsync(), Ct)));

        var versions = new List<int>();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct)) versions.Add(reader.GetInt32(0));
        }
        Assert.Equal(Enumerable.Range(1, PostgresSchema.LatestVersion), versions);
        var results = await Task.WhenAll(stores.Select((s, i) => s.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", $"{i}")], Ct)));
        Assert.Equal(Enumerable.Range(1, 8).Select(p => (long)p), results.Select(r => r.Position).Order());
    }

    [Fact]
    public async Task Open_SchemaNewerThanThisMesh_FailsSayingSo()
    {
        await OpenAsync();
        await server.ExecuteAsync(Database, "INSERT INTO schema_version (version) VALUES (999)");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync());

        Assert.Contains("version 999", ex.Message, StringComparison.Ordinal);
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
    }

    // ---- a server that goes away -------------------------------------------------------------------------------

    [Fact]
    public async Task SubscribeAll_ConnectionsTerminated_ResumesWithoutGapOrDuplicate()
    {
        var store = await OpenAsync(pollInterval: TimeSpan.FromMilliseconds(200), maxBackoff: TimeSpan.FromMilliseconds(500));
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "e1"), Health("a", "e2")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(1, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var seen = await Take(subscription, 2);
        await Poll.UntilAsync(() => Task.FromResult(store.Listening), "the store to listen", Patience, Ct);

        var terminated = await server.TerminateConnectionsAsync(Database);
        var pendingNext = subscription.MoveNextAsync();
        // The store's pooled connections were ended under it: the append retries on a fresh one.
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "e3")], Ct);
        await Poll.UntilAsync(() => Task.FromResult(store.Listening), "the store to listen again", Patience, Ct);
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(2), [Health("a", "e4")], Ct);
        Assert.True(await pendingNext);
        seen.Add(subscription.Current);
        seen.AddRange(await Take(subscription, 1));

        Assert.True(terminated >= 1, "the listener's session at least was ended");
        Assert.Equal([1L, 2L, 3L, 4L], seen.Select(e => e.Position));
        Assert.Equal(["e1", "e2", "e3", "e4"], seen.Select(OutputOf));
    }

    [Fact]
    public async Task SubscribeAll_ServerStoppedAndStarted_AppendsFailMeanwhileAndTheSubscriptionResumesWithoutGapOrDuplicate()
    {
        // A server of its own: stopping the shared one would pull it from under the other tests' stores.
        await using var own = new PostgresServer();
        await own.InitializeAsync();
        var health = new StoreHealth();
        var options = new PostgresStoreOptions
        {
            ConnectionString = await own.CreateDatabaseAsync(),
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        };
        await using var store = await PostgresEventStore.OpenAsync(options, health, ct: Ct);
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "before-1"), Health("a", "before-2")], Ct);
        using var timeout = Timeout();
        await using var subscription = store.SubscribeAllAsync(1, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var seen = await Take(subscription, 2);
        var pendingNext = subscription.MoveNextAsync();

        await own.StopAsync();
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() =>
            store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "while-down")], Ct));
        var down = health.Current;
        await own.StartAsync();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "after-1")], Ct);
        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [Health("b", "after-2"), Health("b", "after-3")], Ct);
        Assert.True(await pendingNext);
        seen.Add(subscription.Current);
        seen.AddRange(await Take(subscription, 2));

        Assert.False(down.Reachable);
        Assert.Equal(refused.Message, down.LastError);
        Assert.NotNull(down.LastErrorAt);
        Assert.True(health.Reachable);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], seen.Select(e => e.Position));
        Assert.Equal(["before-1", "before-2", "after-1", "after-2", "after-3"], seen.Select(OutputOf));
        Assert.Equal(5, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_NoServerThere_ThrowsAndHealthSaysWhy()
    {
        var health = new StoreHealth();
        var unreachable = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 1, Timeout = 5 }.ConnectionString;
        await using var store = new PostgresEventStore(
            Microsoft.Extensions.Options.Options.Create(new PostgresStoreOptions { ConnectionString = unreachable }),
            health, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresEventStore>.Instance);

        var ex = await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "lost")], Ct));

        Assert.False(health.Reachable);
        Assert.Equal(ex.Message, health.LastError);
        Assert.Equal(1, health.Current.Failures);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private async Task<PostgresEventStore> OpenAsync(TimeSpan? pollInterval = null, TimeSpan? maxBackoff = null)
    {
        var options = new PostgresStoreOptions { ConnectionString = _connectionString };
        if (pollInterval is { } poll) options.PollInterval = poll;
        if (maxBackoff is { } backoff) options.MaxBackoff = backoff;
        var store = await PostgresEventStore.OpenAsync(options, ct: Ct);
        lock (_open) _open.Add(store);
        return store;
    }

    private async Task Close(IEventStore store)
    {
        var postgres = (PostgresEventStore)store;
        lock (_open) _open.Remove(postgres);
        await postgres.DisposeAsync();
    }

    /// <summary>
    /// Appends one event with plain SQL, as another writer would (under the append lock, so positions stay in order)
    /// but without the notification the store sends.
    /// </summary>
    private async Task InsertBehindTheStoreAsync(StreamName stream, string type, byte[] data)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var tx = await connection.BeginTransactionAsync(Ct);
        await using (var locking = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.AppendLock})", connection, tx))
            await locking.ExecuteNonQueryAsync(Ct);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO events (position, stream, version, type, data, metadata, recorded_at)
            SELECT (SELECT COALESCE(MAX(position), 0) + 1 FROM events), $1,
                   (SELECT COALESCE(MAX(version), -1) + 1 FROM events WHERE stream = $1), $2, $3, NULL, now()
            """, connection, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream.Value });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = data });
            await insert.ExecuteNonQueryAsync(Ct);
        }
        await tx.CommitAsync(Ct);
    }


    /// <summary>tests/Registry.AppendWorker run as a process of its own (<c>dotnet Mesh.Registry.AppendWorker.dll</c>).</summary>
    private sealed class AppendWorker : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stderr;
        private readonly System.Text.StringBuilder _stdout = new();

        private AppendWorker(Process process)
        {
            _process = process;
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public static AppendWorker Start(string connectionString, string name, int writers, int perWriter, int sharedStreams)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Mesh.Registry.AppendWorker.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: tests/Registry references tests/Registry.AppendWorker, so building the tests builds it.");
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { dll, connectionString, name, $"{writers}", $"{perWriter}", $"{sharedStreams}" }) info.ArgumentList.Add(arg);
            return new AppendWorker(Process.Start(info) ?? throw new InvalidOperationException("Could not start the append worker."));
        }

        public async Task WaitUntilReadyAsync(CancellationToken ct)
        {
            while (await _process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                _stdout.AppendLine(line);
                if (line == "ready") return;
            }
            await _process.WaitForExitAsync(ct);
            throw new InvalidOperationException($"The append worker exited with {_process.ExitCode} before it was ready: {_stdout}{await _stderr}");
        }

        public async Task GoAsync()
        {
            await _process.StandardInput.WriteLineAsync("go");
            await _process.StandardInput.FlushAsync();
        }

        public async Task<Outcome> WaitForExitAsync(CancellationToken ct)
        {
            _stdout.Append(await _process.StandardOutput.ReadToEndAsync(ct));
            await _process.WaitForExitAsync(ct);
            return new Outcome(_process.ExitCode, _stdout.ToString(), await _stderr);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
            _process.Dispose();
        }

        public sealed record Outcome(int ExitCode, string Output, string Errors);
    }
}
