using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mesh.Registry.Events;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Store.Sqlite;

/// <summary>
/// The embedded event store. One writer task takes every pending append and commits them together in one
/// transaction (synchronous=FULL, so a returned append survives kill -9 and power loss); positions are assigned
/// by that one writer, so $all is gap-free, and the head moves only after commit, so readers never see a gap.
/// A lock file keeps a second process off the same database; tools that only read it (the CLI's <c>--data</c>) open it
/// with <see cref="SqliteEventReader"/>, which takes no lock.
/// </summary>
public sealed partial class SqliteEventStore : IEventStore, ISnapshotArchive, IAsyncDisposable
{
    private const int ReadPage = 4_096;
    private const int ReadAhead = 2;
    private const int MaxCachedStreams = 200_000;

    private readonly SqliteStoreOptions _options;
    private readonly ILogger<SqliteEventStore> _logger;
    private readonly string _connectionString;
    private readonly FileStream _lock;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly AsyncSignal _appended = new();
    private readonly Dictionary<string, long> _streamVersions = new(StringComparer.Ordinal);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _versionOf;
    private readonly Task _writerLoop;
    private long _head;
    private long _transactions;

    public SqliteEventStore(IOptions<SqliteStoreOptions> options, ILogger<SqliteEventStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        var full = System.IO.Path.GetFullPath(_options.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        try
        {
            _lock = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"The event store '{full}' is in use by another Mesh process.", ex);
        }
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString();
        try
        {
            _writer = Open();
            Execute(_writer, """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=FULL;
                CREATE TABLE IF NOT EXISTS events (
                    position    INTEGER PRIMARY KEY,
                    stream      TEXT    NOT NULL,
                    version     INTEGER NOT NULL,
                    type        TEXT    NOT NULL,
                    data        BLOB    NOT NULL,
                    metadata    BLOB,
                    recorded_at INTEGER NOT NULL,
                    UNIQUE (stream, version)
                );
                CREATE INDEX IF NOT EXISTS events_recorded_at ON events (recorded_at);
                CREATE TABLE IF NOT EXISTS snapshots (
                    position INTEGER PRIMARY KEY,
                    state    BLOB    NOT NULL
                );
                """);
            _head = SqliteReads.Head(_writer);
            _versionOf = _writer.CreateCommand();
            _versionOf.CommandText = "SELECT COALESCE(MAX(version), -1) FROM events WHERE stream = $s";
            _versionOf.Parameters.Add("$s", SqliteType.Text);
        }
        catch (SqliteException ex)
        {
            // Let go of the lock: a failed open must not leave the store "in use" for the next attempt.
            if (_writer is not null)
            {
                SqliteConnection.ClearPool(_writer);
                _writer.Dispose();
            }
            _lock.Dispose();
            throw new InvalidOperationException($"The event store '{full}' could not be opened: {ex.Message}", ex);
        }
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Transactions committed by the writer so far; tests use it to see that appends share them.</summary>
    internal long CommittedTransactions => Interlocked.Read(ref _transactions);

    public Task<AppendResult> AppendAsync(StreamName stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        var pending = PendingAppend.Of(stream, expected, events);
        if (!_pending.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(SqliteEventStore));
        return pending.Completion.Task.WaitAsync(ct);
    }

    public Task<long> ReadHeadPositionAsync(CancellationToken ct = default) => Task.FromResult(Volatile.Read(ref _head));

    public Task<long> ReadPositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => Task.Run(() =>
    {
        using var connection = Open();
        return SqliteReads.PositionAt(connection, time);
    }, ct);

    public Task SaveSnapshotAsync(long position, byte[] state, CancellationToken ct = default) => Task.Run(() =>
    {
        // A connection of its own: snapshots are rare and large, and must not queue behind (or hold up) appends.
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO snapshots (position, state) VALUES ($p, $s)";
        command.Parameters.AddWithValue("$p", position);
        command.Parameters.AddWithValue("$s", state);
        command.ExecuteNonQuery();
    }, ct);

    public Task<ArchivedSnapshot?> ReadSnapshotAsync(long position, CancellationToken ct = default) => Task.Run(() =>
    {
        using var connection = Open();
        return SqliteReads.Snapshot(connection, position);
    }, ct);

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamName stream, long fromVersion = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = Open();
        await using var command = SqliteReads.StreamCommand(connection, stream, fromVersion);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return SqliteReads.ReadRow(reader);
    }

    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var from = Math.Max(1, fromPosition);
        var until = Math.Min(Volatile.Read(ref _head), from + Math.Max(0, (long)maxCount) - 1);
        await foreach (var e in SqliteReads.ReadAheadAsync((first, last) => ReadPageAsync(first, last, ReadPage, ct), from, until, ReadPage, ReadAhead, ct).ConfigureAwait(false))
            yield return e;
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeAllAsync(long fromPosition = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var next = Math.Max(1, fromPosition);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var wake = _appended.WaitTask();
            var head = Volatile.Read(ref _head);
            if (next > head)
            {
                await wake.WaitAsync(ct).ConfigureAwait(false);
                continue;
            }
            foreach (var e in await ReadPageAsync(next, head, ReadPage, ct).ConfigureAwait(false))
            {
                next = e.Position + 1;
                yield return e;
            }
        }
    }

    // A page is read whole and the connection let go before the caller sees it: a slow consumer must not hold a
    // read transaction open, which would keep checkpoints from recycling the WAL.
    private Task<List<RecordedEvent>> ReadPageAsync(long from, long until, int limit, CancellationToken ct) => Task.Run(() =>
    {
        using var connection = Open();
        return SqliteReads.ReadPage(connection, from, until, limit, ct);
    }, ct);

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>();
        using var insert = _writer.CreateCommand();
        insert.CommandText = "INSERT INTO events (position, stream, version, type, data, metadata, recorded_at) VALUES ($p, $s, $v, $t, $d, $m, $r)";
        var pPosition = insert.Parameters.Add("$p", SqliteType.Integer);
        var pStream = insert.Parameters.Add("$s", SqliteType.Text);
        var pVersion = insert.Parameters.Add("$v", SqliteType.Integer);
        var pType = insert.Parameters.Add("$t", SqliteType.Text);
        var pData = insert.Parameters.Add("$d", SqliteType.Blob);
        var pMeta = insert.Parameters.Add("$m", SqliteType.Blob);
        var pRecorded = insert.Parameters.Add("$r", SqliteType.Integer);

        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var events = 0;
            while (events < _options.MaxBatchEvents && _pending.Reader.TryRead(out var p))
            {
                batch.Add(p);
                events += p.Rows.Length;
            }

            var staged = new Dictionary<string, long>(StringComparer.Ordinal);
            var head = _head;
            var recordedAt = Clock.GetUtcNow().UtcTicks;
            try
            {
                using var tx = _writer.BeginTransaction();
                insert.Transaction = tx;
                foreach (var p in batch)
                {
                    var current = staged.TryGetValue(p.Stream, out var v) ? v : CurrentVersion(p.Stream, tx);
                    if (!p.Expected.IsSatisfiedBy(current))
                    {
                        p.Failure = new WrongExpectedVersionException(new StreamName(p.Stream), p.Expected, current);
                        continue;
                    }
                    foreach (var row in p.Rows)
                    {
                        pPosition.Value = ++head;
                        pStream.Value = p.Stream;
                        pVersion.Value = ++current;
                        pType.Value = row.Type;
                        pData.Value = row.Data;
                        pMeta.Value = (object?)row.Metadata ?? DBNull.Value;
                        pRecorded.Value = recordedAt;
                        insert.ExecuteNonQuery();
                    }
                    staged[p.Stream] = current;
                    p.Result = new AppendResult(current, head);
                }
                tx.Commit();
                Interlocked.Increment(ref _transactions);
            }
            catch (Exception ex)
            {
                Log.BatchFailed(_logger, batch.Count, ex);
                _streamVersions.Clear();
                foreach (var p in batch) p.Completion.TrySetException(ex);
                continue;
            }

            if (_streamVersions.Count > MaxCachedStreams) _streamVersions.Clear();
            foreach (var (stream, version) in staged) _streamVersions[stream] = version;
            Volatile.Write(ref _head, head);
            foreach (var p in batch)
            {
                if (p.Failure is not null) p.Completion.TrySetException(p.Failure);
                else p.Completion.TrySetResult(p.Result);
            }
            _appended.Set();
        }
    }

    private long CurrentVersion(string stream, SqliteTransaction tx)
    {
        if (_streamVersions.TryGetValue(stream, out var cached)) return cached;
        // One prepared statement for the store's lifetime: preparing it per lookup cost more than running it.
        _versionOf.Transaction = tx;
        _versionOf.Parameters[0].Value = stream;
        return (long)_versionOf.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await _versionOf.DisposeAsync().ConfigureAwait(false);
        // Pooled connections would keep the file open after the store is gone.
        SqliteConnection.ClearPool(_writer);
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Writing a batch of {Count} appends failed; none of them was written")]
        public static partial void BatchFailed(ILogger logger, int count, Exception exception);
    }
}
