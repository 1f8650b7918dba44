using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Mesh.Registry.Store.Sqlite;

/// <summary>
/// The embedded store opened read-only, for tools (the <c>mesh</c> CLI's <c>--data</c>) that read a data directory a
/// running Mesh may be writing to. It opens the database with <c>Mode=ReadOnly</c> and neither takes the store's lock
/// file nor creates anything: in WAL mode a reader sees each committed transaction whole and never blocks the writer.
/// The head is read from the file on each call, so new appends show up; <see cref="SubscribeAllAsync"/> polls for them
/// every <see cref="PollInterval"/>. Archived snapshots can be read, not saved.
/// </summary>
public sealed class SqliteEventReader : IEventReader, ISnapshotArchive, IAsyncDisposable
{
    private const int ReadPage = 4_096;
    private const int ReadAhead = 2;

    private readonly string _connectionString;
    private readonly bool _hasSnapshots;

    private SqliteEventReader(string path, string connectionString, bool hasSnapshots)
    {
        Path = path;
        _connectionString = connectionString;
        _hasSnapshots = hasSnapshots;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>How often <see cref="SubscribeAllAsync"/> looks for new events once it has caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Opens <paramref name="path"/> (a store's <c>mesh.db</c>) read-only. Throws <see cref="FileNotFoundException"/>
    /// when there is no such file and <see cref="InvalidDataException"/> when it is not a Mesh event store; neither
    /// creates a file.
    /// </summary>
    public static SqliteEventReader Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"There is no Mesh event store at '{full}'.", full);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'snapshots')";
            var tables = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = command.ExecuteReader())
                while (reader.Read()) tables.Add(reader.GetString(0));
            if (!tables.Contains("events")) throw new InvalidDataException($"'{full}' is not a Mesh event store: it has no events table.");
            return new SqliteEventReader(full, connectionString, tables.Contains("snapshots"));
        }
        catch (SqliteException ex)
        {
            ClearPool(connectionString);
            throw new InvalidDataException($"The event store '{full}' could not be opened read-only: {ex.Message}", ex);
        }
        catch (InvalidDataException)
        {
            ClearPool(connectionString);
            throw;
        }
    }

    public Task<long> ReadHeadPositionAsync(CancellationToken ct = default) => Task.Run(() =>
    {
        using var connection = OpenConnection();
        return SqliteReads.Head(connection);
    }, ct);

    public Task<long> ReadPositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => Task.Run(() =>
    {
        using var connection = OpenConnection();
        return SqliteReads.PositionAt(connection, time);
    }, ct);

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamName stream, long fromVersion = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = OpenConnection();
        await using var command = SqliteReads.StreamCommand(connection, stream, fromVersion);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return SqliteReads.ReadRow(reader);
    }

    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var from = Math.Max(1, fromPosition);
        var until = Math.Min(await ReadHeadPositionAsync(ct).ConfigureAwait(false), from + Math.Max(0, (long)maxCount) - 1);
        // A page at a time, each connection let go before the caller sees its page: no read transaction stays open
        // while the caller works, so the writer's checkpoints are never held back.
        await foreach (var e in SqliteReads.ReadAheadAsync((first, last) => PageAsync(first, last, ct), from, until, ReadPage, ReadAhead, ct).ConfigureAwait(false))
            yield return e;
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeAllAsync(long fromPosition = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var next = Math.Max(1, fromPosition);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var head = await ReadHeadPositionAsync(ct).ConfigureAwait(false);
            if (next > head)
            {
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                continue;
            }
            foreach (var e in await PageAsync(next, Math.Min(head, next + ReadPage - 1), ct).ConfigureAwait(false))
            {
                next = e.Position + 1;
                yield return e;
            }
        }
    }

    public Task<ArchivedSnapshot?> ReadSnapshotAsync(long position, CancellationToken ct = default)
    {
        if (!_hasSnapshots) return Task.FromResult<ArchivedSnapshot?>(null);
        return Task.Run(() =>
        {
            using var connection = OpenConnection();
            return SqliteReads.Snapshot(connection, position);
        }, ct);
    }

    /// <summary>Not supported: the store is open read-only.</summary>
    public Task SaveSnapshotAsync(long position, byte[] state, CancellationToken ct = default) =>
        throw new NotSupportedException($"The event store '{Path}' is open read-only: snapshots cannot be saved through it.");

    public ValueTask DisposeAsync()
    {
        // Pooled connections would keep the file open after the reader is gone.
        ClearPool(_connectionString);
        return ValueTask.CompletedTask;
    }

    private static void ClearPool(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private Task<List<RecordedEvent>> PageAsync(long from, long until, CancellationToken ct) => Task.Run(() =>
    {
        using var connection = OpenConnection();
        return SqliteReads.ReadPage(connection, from, until, ReadPage, ct);
    }, ct);

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
