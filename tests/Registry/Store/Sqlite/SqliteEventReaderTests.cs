using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Registry.Tests.Store.Sqlite;

/// <summary>
/// The embedded store opened read-only (what <c>mesh … --data</c> uses): it reads what a running store writes,
/// while that store holds its lock, and writes nothing itself.
/// </summary>
public sealed class SqliteEventReaderTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-reader-").FullName;
    private readonly List<IAsyncDisposable> _open = [];

    private string DbPath => Path.Combine(_dir, "mesh.db");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_open)) await d.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Reads_what_a_running_store_appended_including_appends_after_it_opened()
    {
        var store = OpenStore();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one"), Health("a", "two")], Ct);
        await store.AppendAsync(Stream("b"), ExpectedVersion.NoStream, [Health("b", "three")], Ct);
        await store.SaveSnapshotAsync(2, [1, 2, 3], Ct);

        var reader = OpenReader();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(1), [Health("a", "four")], Ct);

        Assert.Equal(4, await reader.ReadHeadPositionAsync(Ct));
        Assert.Equal(["one", "two", "three", "four"], (await All(reader.ReadAllAsync(ct: Ct))).Select(OutputOf));
        Assert.Equal(["two", "three"], (await All(reader.ReadAllAsync(2, 2, Ct))).Select(OutputOf));
        Assert.Equal([1L, 2L, 4L], (await All(reader.ReadStreamAsync(Stream("a"), ct: Ct))).Select(e => e.Position));
        var all = await All(store.ReadAllAsync(ct: Ct));
        Assert.Equal(all.Select(e => (e.Position, e.Stream, e.StreamVersion, e.Type, e.RecordedAt)),
            (await All(reader.ReadAllAsync(ct: Ct))).Select(e => (e.Position, e.Stream, e.StreamVersion, e.Type, e.RecordedAt)));
        Assert.Equal(await store.ReadPositionAtAsync(all[2].RecordedAt, Ct), await reader.ReadPositionAtAsync(all[2].RecordedAt, Ct));
        var snapshot = await reader.ReadSnapshotAsync(10, Ct);
        Assert.Equal(2L, snapshot!.Position);
        Assert.Equal([1, 2, 3], snapshot.State);
        Assert.Null(await reader.ReadSnapshotAsync(1, Ct));
    }

    [Fact]
    public async Task Reads_across_many_pages_in_order_from_any_position_and_for_any_count()
    {
        var store = OpenStore();
        // Three pages of 4,096 and a part: the reader reads ahead, a page per connection, and must still hand them over in order.
        const int count = 13_000;
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [.. Enumerable.Range(1, count).Select(i => Health("a", $"{i}"))], Ct);
        var reader = OpenReader();

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), (await All(reader.ReadAllAsync(ct: Ct))).Select(e => e.Position));
        Assert.Equal(Enumerable.Range(4_000, 5_000).Select(i => $"{i}"), (await All(reader.ReadAllAsync(4_000, 5_000, Ct))).Select(OutputOf));
        Assert.Equal(Enumerable.Range(12_990, 11).Select(i => (long)i), (await All(reader.ReadAllAsync(12_990, 1_000, Ct))).Select(e => e.Position));
        Assert.Empty(await All(reader.ReadAllAsync(count + 1, ct: Ct)));
    }

    [Fact]
    public async Task Takes_no_lock_so_a_store_opens_on_the_file_while_a_reader_has_it_open()
    {
        var first = OpenStore();
        await first.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);
        await first.DisposeAsync();
        _open.Remove(first);

        var reader = OpenReader();
        Assert.Equal(1, await reader.ReadHeadPositionAsync(Ct));
        var store = OpenStore();
        await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", "two")], Ct);

        Assert.Equal(2, await reader.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Reads_a_store_that_was_closed_with_no_wal_files_left()
    {
        var store = OpenStore();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);
        await store.DisposeAsync();
        _open.Remove(store);
        SqliteConnection.ClearAllPools();

        var reader = OpenReader();

        Assert.Equal(["one"], (await All(reader.ReadAllAsync(ct: Ct))).Select(OutputOf));
    }

    [Fact]
    public async Task Subscribe_catches_up_then_polls_for_new_appends()
    {
        var store = OpenStore();
        await store.AppendAsync(Stream("a"), ExpectedVersion.NoStream, [Health("a", "one")], Ct);
        var reader = OpenReader();
        reader.PollInterval = TimeSpan.FromMilliseconds(10);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        var appended = false;
        await foreach (var e in reader.SubscribeAllAsync(1, stop.Token))
        {
            seen.Add(OutputOf(e));
            if (!appended)
            {
                appended = true;
                await store.AppendAsync(Stream("a"), ExpectedVersion.Exactly(0), [Health("a", "two"), Health("a", "three")], Ct);
            }
            if (seen.Count == 3) break;
        }

        Assert.Equal(["one", "two", "three"], seen);
    }

    [Fact]
    public async Task Saving_a_snapshot_is_not_supported()
    {
        OpenStore();
        var reader = OpenReader();

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => reader.SaveSnapshotAsync(1, [1], Ct));

        Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_a_missing_file_fails_and_creates_nothing()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => SqliteEventReader.Open(DbPath));

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public async Task Opening_a_database_that_is_not_an_event_store_fails_saying_so()
    {
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER)";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var ex = Assert.Throws<InvalidDataException>(() => SqliteEventReader.Open(DbPath));

        Assert.Contains("not a Mesh event store", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_file_that_is_not_a_database_fails_naming_it()
    {
        await File.WriteAllTextAsync(DbPath, new string('x', 4_096), Ct);

        var ex = Assert.Throws<InvalidDataException>(() => SqliteEventReader.Open(DbPath));

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be opened read-only", ex.Message, StringComparison.Ordinal);
    }

    private SqliteEventStore OpenStore()
    {
        var store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = DbPath }), NullLogger<SqliteEventStore>.Instance);
        _open.Add(store);
        return store;
    }

    private SqliteEventReader OpenReader()
    {
        var reader = SqliteEventReader.Open(DbPath);
        _open.Add(reader);
        return reader;
    }

    private static StreamName Stream(string id) => StreamName.ForInstance(id);

    private static EventData Health(string instanceId, string output) =>
        new(new InstanceHealthChanged(instanceId, "check", HealthStatus.Passing, output));

    private static string OutputOf(RecordedEvent e) => ((InstanceHealthChanged)e.Event).Output;

    private static async Task<List<RecordedEvent>> All(IAsyncEnumerable<RecordedEvent> events)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in events) list.Add(e);
        return list;
    }
}
