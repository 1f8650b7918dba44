using Mesh.Registry.Events;
using Microsoft.Data.Sqlite;

namespace Mesh.Registry.Store.Sqlite;

/// <summary>
/// The queries that read the embedded store's tables, shared by the store (<see cref="SqliteEventStore"/>) and the
/// read-only reader (<see cref="SqliteEventReader"/>), so both read rows the same way.
/// </summary>
internal static class SqliteReads
{
    private const string Columns = "position, stream, version, type, data, metadata, recorded_at";

    /// <summary>$all from <paramref name="from"/> to <paramref name="until"/> (both included), at most <paramref name="limit"/> events.</summary>
    public static List<RecordedEvent> ReadPage(SqliteConnection connection, long from, long until, int limit, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM events WHERE position >= $from AND position <= $until ORDER BY position LIMIT $limit";
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$until", until);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var page = new List<RecordedEvent>((int)Math.Clamp(until - from + 1, 0, Math.Min(limit, 4_096)));
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            page.Add(ReadRow(reader));
        }
        return page;
    }

    /// <summary>
    /// $all from <paramref name="from"/> to <paramref name="until"/>, <paramref name="pageSize"/> events a page, with
    /// the next <paramref name="ahead"/> pages read and deserialised on other threads (each on its own connection)
    /// while the caller works through this one. Positions are gap-free, so page boundaries are known in advance.
    /// </summary>
    public static async IAsyncEnumerable<RecordedEvent> ReadAheadAsync(
        Func<long, long, Task<List<RecordedEvent>>> readPage, long from, long until, int pageSize, int ahead,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var pages = new Queue<Task<List<RecordedEvent>>>();
        var nextPage = from;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            while (pages.Count < ahead && nextPage <= until)
            {
                var last = Math.Min(until, nextPage + pageSize - 1);
                pages.Enqueue(readPage(nextPage, last));
                nextPage = last + 1;
            }
            if (pages.Count == 0) yield break;
            foreach (var e in await pages.Dequeue().ConfigureAwait(false)) yield return e;
        }
    }

    public static SqliteCommand StreamCommand(SqliteConnection connection, StreamName stream, long fromVersion)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM events WHERE stream = $s AND version >= $v ORDER BY version";
        command.Parameters.AddWithValue("$s", stream.Value);
        command.Parameters.AddWithValue("$v", fromVersion);
        return command;
    }

    public static long Head(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(position), 0) FROM events";
        return (long)command.ExecuteScalar()!;
    }

    // Recorded times grow with positions (a batch shares one; only a clock stepped back breaks that), so the index
    // answers with one seek.
    public static long PositionAt(SqliteConnection connection, DateTimeOffset time)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT position FROM events WHERE recorded_at <= $t ORDER BY recorded_at DESC, position DESC LIMIT 1";
        command.Parameters.AddWithValue("$t", time.UtcTicks);
        return command.ExecuteScalar() is long position ? position : 0L;
    }

    public static ArchivedSnapshot? Snapshot(SqliteConnection connection, long position)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT position, state FROM snapshots WHERE position <= $p ORDER BY position DESC LIMIT 1";
        command.Parameters.AddWithValue("$p", position);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new ArchivedSnapshot(reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    public static RecordedEvent ReadRow(SqliteDataReader r)
    {
        var position = r.GetInt64(0);
        var stream = r.GetString(1);
        var type = r.GetString(3);
        try
        {
            var data = (byte[])r.GetValue(4);
            var metadata = r.IsDBNull(5) ? EventMetadata.Empty : EventSerializer.DeserializeMetadata((byte[])r.GetValue(5));
            return new RecordedEvent(position, new StreamName(stream), r.GetInt64(2), type,
                EventSerializer.Deserialize(type, data), metadata, new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero));
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
        {
            // Name the event: an operator must be able to find the row that stops every reader.
            throw new InvalidDataException(
                $"The event at position {position} in stream '{stream}' (type '{type}') cannot be read: {ex.Message}", ex);
        }
    }
}
