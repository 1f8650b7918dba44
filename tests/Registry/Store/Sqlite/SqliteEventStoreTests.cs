using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Xunit;

namespace Mesh.Registry.Tests.Store.Sqlite;

/// <summary>The event store contract against a real SQLite file in a temporary directory, plus what only SQLite does.</summary>
public sealed class SqliteEventStoreTests : EventStoreContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-store-").FullName;
    private readonly List<SqliteEventStore> _open = [];

    private string DbPath => Path.Combine(_dir, "mesh.db");

    protected override ValueTask<IEventStore> CreateStoreAsync() => ValueTask.FromResult<IEventStore>(Open());

    protected override async ValueTask<IEventStore> ReopenAsync(IEventStore store)
    {
        await Close(store);
        return Open();
    }

    protected override async ValueTask<IEventStore> PlantEventOfUnknownTypeAsync(IEventStore store, StreamName stream, string type)
    {
        await Close(store);
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO events (position, stream, version, type, data, metadata, recorded_at)
                SELECT (SELECT MAX(position) FROM events) + 1, $s,
                       (SELECT COALESCE(MAX(version), -1) FROM events WHERE stream = $s) + 1,
                       $t, CAST('{"instanceId":"x"}' AS BLOB), NULL, 0
                """;
            command.Parameters.AddWithValue("$s", stream.Value);
            command.Parameters.AddWithValue("$t", type);
            await command.ExecuteNonQueryAsync(Ct);
        }
        return Open();
    }

    protected override long? CommittedTransactions(IEventStore store) => ((SqliteEventStore)store).CommittedTransactions;

    public override async ValueTask DisposeAsync()
    {
        foreach (var store in _open) await store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Open_SecondInstanceOnTheSameFile_FailsSayingTheStoreIsInUse()
    {
        var first = Open();
        await first.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);

        var ex = Assert.Throws<InvalidOperationException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await first.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Open_FileThatIsNotADatabase_FailsNamingTheFileAndLetsGoOfTheLock()
    {
        await File.WriteAllTextAsync(DbPath, new string('x', 4_096), Ct);

        var ex = Assert.Throws<InvalidOperationException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be opened", ex.Message, StringComparison.Ordinal);
        File.Delete(DbPath);
        var store = Open();
        Assert.Equal(0, await store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Open_AfterTheFirstInstanceIsDisposed_Succeeds()
    {
        var first = Open();
        await first.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);
        await Close(first);

        var second = Open();

        Assert.Equal(1, await second.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Append_QueuedInOrderToOneStream_EachSeesTheOneBefore()
    {
        var store = Open();

        // Not awaited one by one: they reach the writer together and are checked against each other in the batch.
        var appends = Enumerable.Range(0, 200)
            .Select(v => store.AppendAsync(Stream("a"), ExpectedVersion.After(v - 1), [Health("a", $"e{v}")], Ct))
            .ToArray();
        var results = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(0, 200).Select(v => (long)v), results.Select(r => r.StreamVersion));
        Assert.Equal(Enumerable.Range(0, 200).Select(v => $"e{v}"), (await ReadStream(store, Stream("a"))).Select(OutputOf));
    }

    [Fact]
    public async Task Append_AfterDispose_ThrowsObjectDisposed()
    {
        var store = Open();
        await Close(store);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(Stream("a"), ExpectedVersion.Any, [Health("a", "late")], Ct));
    }

    [Fact]
    public async Task Append_WithAFixedClock_RecordsThatTime()
    {
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = DbPath }), NullLogger<SqliteEventStore>.Instance)
        {
            Clock = new FixedClock(at),
        };
        _open.Add(store);

        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);

        Assert.Equal(at, (await ReadStream(store, Stream("a"))).Single().RecordedAt);
    }

    private SqliteEventStore Open()
    {
        var store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = DbPath }), NullLogger<SqliteEventStore>.Instance);
        _open.Add(store);
        return store;
    }

    private async Task Close(IEventStore store)
    {
        var sqlite = (SqliteEventStore)store;
        _open.Remove(sqlite);
        await sqlite.DisposeAsync();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
