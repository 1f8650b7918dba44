using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mesh.Registry.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.Registry.Store.Postgres;

/// <summary>
/// The event store in a PostgreSQL database that several Mesh processes share. Like the embedded store, one writer
/// task per process takes every pending append and commits them together in one transaction. Across processes, an
/// append transaction takes a transaction-scoped advisory lock before it reads the head and assigns positions, and
/// holds it until commit: positions are assigned one transaction at a time, each after the previous one committed,
/// so $all stays gap-free and a reader never sees position N+1 committed before N. Commits notify
/// (<c>pg_notify</c>) subscribers in every process, which also poll every <see cref="PostgresStoreOptions.PollInterval"/>
/// so that a lost notification delays an event but never loses it.
/// <para>
/// <see cref="RecordedEvent.RecordedAt"/> is the database server's clock (<c>statement_timestamp()</c> of the insert,
/// taken under the append lock), not this process's: every writer shares one clock, so recorded times grow with
/// positions across processes. Its precision is a microsecond.
/// </para>
/// <para>
/// The schema is created and migrated (<see cref="PostgresSchema"/>) on first use, not in the constructor, so a
/// database that is down when Mesh starts fails the first requests instead of the start. A database that is down or
/// unreachable makes appends throw (the caller decides what to do) and subscriptions log and retry with backoff from
/// where they were; <see cref="StoreHealth"/> says which.
/// </para>
/// </summary>
public sealed partial class PostgresEventStore : IEventStore, ISnapshotArchive, IAsyncDisposable
{
    private const int ReadPage = 4_096;
    private const int ReadAhead = 2;
    private const string Columns = "position, stream, version, type, data, metadata, recorded_at";
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly PostgresStoreOptions _options;
    private readonly StoreHealth _health;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _listenConnectionString;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly AsyncSignal _appended = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly Task _writerLoop;
    private Task? _schema;
    private Task? _listener;
    private long _transactions;
    private int _waitingSubscriptions;
    private int _listening;
    private int _disposed;

    public PostgresEventStore(IOptions<PostgresStoreOptions> options, StoreHealth health, ILogger<PostgresEventStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _health = health;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            throw new InvalidOperationException(
                $"{StoreOptions.Section}:ConnectionString is required when {StoreOptions.Section}:Kind is {StoreOptions.Postgres}");
        }
        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "mesh";
        Server = $"{builder.ConnectionStringBuilder.Host}:{builder.ConnectionStringBuilder.Port}/{builder.ConnectionStringBuilder.Database}";
        // The listener holds its connection for the store's lifetime, outside the pool; keepalives let it notice a
        // dead server while it waits.
        var listen = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false };
        if (listen.KeepAlive == 0) listen.KeepAlive = 15;
        _listenConnectionString = listen.ConnectionString;
        _dataSource = builder.Build();
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Opens a store over <paramref name="options"/> and creates or migrates its schema; throws when the database
    /// cannot be reached or its schema is newer than this Mesh knows.
    /// </summary>
    public static async Task<PostgresEventStore> OpenAsync(
        PostgresStoreOptions options, StoreHealth? health = null, ILogger<PostgresEventStore>? logger = null, CancellationToken ct = default)
    {
        var store = new PostgresEventStore(Options.Create(options), health ?? new StoreHealth(), logger ?? NullLogger<PostgresEventStore>.Instance);
        try
        {
            await store.EnsureSchemaAsync(ct).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>host:port/database</c>, for logs and messages (never the password).</summary>
    public string Server { get; }

    /// <summary>Transactions committed by this process's writer so far; tests use it to see that appends share them.</summary>
    internal long CommittedTransactions => Interlocked.Read(ref _transactions);

    /// <summary>Subscriptions that have caught up and wait for a notification or the next poll; for tests.</summary>
    internal int WaitingSubscriptions => Volatile.Read(ref _waitingSubscriptions);

    /// <summary>The notification listener is connected and listening; for tests.</summary>
    internal bool Listening => Volatile.Read(ref _listening) != 0;

    /// <summary>Creates or migrates the schema unless that was done; every other call does it first.</summary>
    public Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        var current = Volatile.Read(ref _schema);
        if (current is { IsCompletedSuccessfully: true }) return Task.CompletedTask;
        lock (_gate)
        {
            // A failed attempt (the database was down) is tried again by the next caller.
            if (_schema is null || _schema.IsFaulted || _schema.IsCanceled) _schema = MigrateAsync();
            return _schema.WaitAsync(ct);
        }
    }

    private async Task MigrateAsync()
    {
        try
        {
            var found = await PostgresSchema.MigrateAsync(_dataSource, _disposing.Token).ConfigureAwait(false);
            if (found < PostgresSchema.LatestVersion) Log.SchemaMigrated(_logger, Server, found, PostgresSchema.LatestVersion);
            Reachable();
        }
        catch (NpgsqlException ex)
        {
            Unreachable(ex);
            throw;
        }
    }

    // ---- append ------------------------------------------------------------------------------------------------

    public Task<AppendResult> AppendAsync(StreamName stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        var pending = PendingAppend.Of(stream, expected, events);
        if (!_pending.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(PostgresEventStore));
        return pending.Completion.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var events = 0;
            while (events < _options.MaxBatchEvents && _pending.Reader.TryRead(out var p))
            {
                batch.Add(p);
                events += p.Rows.Length;
            }
            try
            {
                // Not cancelled by dispose: appends already queued are written before the store closes.
                await EnsureSchemaAsync(CancellationToken.None).ConfigureAwait(false);
                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                foreach (var p in batch) p.Completion.TrySetException(ex);
                continue;
            }
            foreach (var p in batch)
            {
                if (p.Failure is not null) p.Completion.TrySetException(p.Failure);
                else p.Completion.TrySetResult(p.Result);
            }
            _appended.Set();
        }
    }

    private async Task WriteBatchAsync(List<PendingAppend> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            try
            {
                await WriteBatchOnceAsync(batch, () => committing = true).ConfigureAwait(false);
                Reachable();
                return;
            }
            catch (NpgsqlException ex) when (attempt == 1 && !committing && ex.IsTransient)
            {
                // Nothing was committed: the transaction never reached COMMIT. A pooled connection the server
                // dropped (a restart, a terminated backend) fails this way once; a fresh one may well work.
                Log.RetryingBatch(_logger, batch.Count, ex.Message);
                _dataSource.Clear();
            }
            catch (NpgsqlException ex)
            {
                Unreachable(ex);
                if (committing) Log.CommitInterrupted(_logger, batch.Count, ex);
                else Log.BatchFailed(_logger, batch.Count, ex);
                throw;
            }
        }
    }

    private async Task WriteBatchOnceAsync(List<PendingAppend> batch, Action committing)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync().ConfigureAwait(false);

        // The lock first, in the same round trip as the reads that follow it: in READ COMMITTED each statement reads
        // a fresh snapshot, so once the lock is ours the head includes every append committed before, and none can
        // commit until we do (the lock goes with our commit). Positions are therefore assigned and committed one
        // transaction at a time, in order: a reader never sees N+1 committed before N, and a rolled-back transaction
        // leaves no gap. A sequence would not do: its values are handed out before commit, so a later transaction
        // could commit first, and a rollback would burn a position.
        var names = batch.Select(p => p.Stream).Distinct(StringComparer.Ordinal).ToArray();
        long head;
        var versions = new Dictionary<string, long>(names.Length, StringComparer.Ordinal);
        await using (var read = new NpgsqlBatch(connection, tx))
        {
            read.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.AppendLock})"));
            read.BatchCommands.Add(new NpgsqlBatchCommand("SELECT COALESCE(MAX(position), 0) FROM events"));
            read.BatchCommands.Add(new NpgsqlBatchCommand("""
                SELECT wanted.name, (SELECT e.version FROM events e WHERE e.stream = wanted.name ORDER BY e.version DESC LIMIT 1)
                FROM unnest($1::text[]) AS wanted(name)
                """)
            {
                Parameters = { new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } },
            });
            await using var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.NextResultAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            head = reader.GetInt64(0);
            await reader.NextResultAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
                versions[reader.GetString(0)] = reader.IsDBNull(1) ? -1 : reader.GetInt64(1);
        }

        var count = batch.Sum(p => p.Rows.Length);
        var positions = new List<long>(count);
        var streams = new List<string>(count);
        var streamVersions = new List<long>(count);
        var types = new List<string>(count);
        var data = new List<byte[]>(count);
        var metadata = new List<byte[]?>(count);
        foreach (var p in batch)
        {
            p.Failure = null;
            var current = versions[p.Stream];
            if (!p.Expected.IsSatisfiedBy(current))
            {
                p.Failure = new WrongExpectedVersionException(new StreamName(p.Stream), p.Expected, current);
                continue;
            }
            foreach (var row in p.Rows)
            {
                positions.Add(++head);
                streams.Add(p.Stream);
                streamVersions.Add(++current);
                types.Add(row.Type);
                data.Add(row.Data);
                metadata.Add(row.Metadata);
            }
            versions[p.Stream] = current;
            p.Result = new AppendResult(current, head);
        }
        if (positions.Count == 0) return; // every expectation failed: nothing to write, the rollback frees the lock

        await using (var write = new NpgsqlBatch(connection, tx))
        {
            write.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO events (position, stream, version, type, data, metadata, recorded_at)
                SELECT position, stream, version, type, data, metadata, statement_timestamp()
                FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bytea[], $6::bytea[])
                    AS batch(position, stream, version, type, data, metadata)
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter { Value = positions.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                    new NpgsqlParameter { Value = streams.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new NpgsqlParameter { Value = streamVersions.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                    new NpgsqlParameter { Value = types.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new NpgsqlParameter { Value = data.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                    new NpgsqlParameter { Value = metadata.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                },
            });
            // Delivered to every listener when (and only if) the transaction commits.
            write.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = PostgresSchema.Channel },
                    new NpgsqlParameter<string> { TypedValue = head.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            });
            await write.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        committing();
        await tx.CommitAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _transactions);
    }

    // ---- read --------------------------------------------------------------------------------------------------

    public Task<long> ReadHeadPositionAsync(CancellationToken ct = default) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(position), 0) FROM events", connection);
        return (long)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
    }, ct);

    // Recorded times grow with positions (one clock, read under the append lock; only a clock stepped back on the
    // database server breaks that), so the index answers with one seek.
    public Task<long> ReadPositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => RunAsync(async (connection, token) =>
    {
        // PostgreSQL keeps microseconds: round down, so that a time between two microseconds does not round up past an event.
        var ticks = time.UtcTicks;
        var at = new DateTimeOffset(ticks - ticks % 10, TimeSpan.Zero);
        await using var command = new NpgsqlCommand(
            "SELECT position FROM events WHERE recorded_at <= $1 ORDER BY recorded_at DESC, position DESC LIMIT 1", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is long position ? position : 0L;
    }, ct);

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamName stream, long fromVersion = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var next = Math.Max(0, fromVersion);
        while (true)
        {
            // A page at a time, the connection let go before the caller sees it.
            var page = await RunAsync((connection, token) => ReadStreamPageAsync(connection, stream.Value, next, token), ct).ConfigureAwait(false);
            foreach (var e in page) yield return e;
            if (page.Count < ReadPage) yield break;
            next = page[^1].StreamVersion + 1;
        }
    }

    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var from = Math.Max(1, fromPosition);
        var until = Math.Min(await ReadHeadPositionAsync(ct).ConfigureAwait(false), from + Math.Max(0, (long)maxCount) - 1);
        // Positions are gap-free, so page boundaries are known in advance: the next pages are read and deserialised
        // on other connections while the caller works through this one.
        var pages = new Queue<Task<List<RecordedEvent>>>();
        var nextPage = from;
        try
        {
            while (true)
            {
                while (pages.Count < ReadAhead && nextPage <= until)
                {
                    var (first, last) = (nextPage, Math.Min(until, nextPage + ReadPage - 1));
                    pages.Enqueue(RunAsync((connection, token) => ReadPageAsync(connection, first, last, token), ct));
                    nextPage = last + 1;
                }
                if (pages.Count == 0) yield break;
                foreach (var e in await pages.Dequeue().ConfigureAwait(false)) yield return e;
            }
        }
        finally
        {
            // Pages read ahead for a caller that stopped early: let their failures, if any, be observed.
            foreach (var page in pages) _ = page.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeAllAsync(long fromPosition = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposing.Token);
        var token = linked.Token;
        StartListening();
        var next = Math.Max(1, fromPosition);
        var failures = 0;
        var gapReported = 0L;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            // Taken before the read: a notification during the read completes this task, so it is never missed.
            var wake = _appended.WaitTask();
            var page = await TryReadLiveAsync(next, failures, token).ConfigureAwait(false);
            if (page is null)
            {
                failures++;
                await Task.Delay(Backoff(failures), token).ConfigureAwait(false);
                continue;
            }
            failures = 0;
            // Only the gap-free run from the next position: the append lock makes a gap impossible, but a row written
            // around it (by hand) must not make a subscriber skip a position. It waits there instead, and says so once.
            var run = 0;
            while (run < page.Count && page[run].Position == next + run) run++;
            if (run < page.Count)
            {
                if (gapReported != next + run) Log.GapInLog(_logger, next + run);
                gapReported = next + run;
                page.RemoveRange(run, page.Count - run);
            }
            if (page.Count == 0)
            {
                Interlocked.Increment(ref _waitingSubscriptions);
                try
                {
                    await wake.WaitAsync(_options.PollInterval, token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The poll: look again even though no notification came.
                }
                finally
                {
                    Interlocked.Decrement(ref _waitingSubscriptions);
                }
                continue;
            }
            foreach (var e in page)
            {
                next = e.Position + 1;
                yield return e;
            }
        }
    }

    /// <summary>
    /// The events from <paramref name="next"/> on that are there now, up to a page; null when the database could not
    /// be read (logged: a warning for the first failure in a row, then debug).
    /// </summary>
    private async Task<List<RecordedEvent>?> TryReadLiveAsync(long next, int failures, CancellationToken ct)
    {
        try
        {
            return await RunAsync((connection, token) => ReadPageAsync(connection, next, long.MaxValue, token), ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
        {
            var delay = Backoff(failures + 1);
            if (failures == 0) Log.SubscriptionReadFailed(_logger, next, ex.Message, delay);
            else Log.SubscriptionStillFailing(_logger, next, failures + 1, ex.Message, delay);
            return null;
        }
    }

    private static async Task<List<RecordedEvent>> ReadPageAsync(NpgsqlConnection connection, long from, long until, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM events WHERE position >= $1 AND position <= $2 ORDER BY position LIMIT $3", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = until });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ReadPage });
        return await ReadRowsAsync(command, ct).ConfigureAwait(false);
    }

    private static async Task<List<RecordedEvent>> ReadStreamPageAsync(NpgsqlConnection connection, string stream, long fromVersion, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromVersion });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ReadPage });
        return await ReadRowsAsync(command, ct).ConfigureAwait(false);
    }

    private static async Task<List<RecordedEvent>> ReadRowsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<RecordedEvent>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) rows.Add(ReadRow(reader));
        return rows;
    }

    private static RecordedEvent ReadRow(NpgsqlDataReader r)
    {
        var position = r.GetInt64(0);
        var stream = r.GetString(1);
        var type = r.GetString(3);
        try
        {
            var data = r.GetFieldValue<byte[]>(4);
            var metadata = r.IsDBNull(5) ? EventMetadata.Empty : EventSerializer.DeserializeMetadata(r.GetFieldValue<byte[]>(5));
            return new RecordedEvent(position, new StreamName(stream), r.GetInt64(2), type,
                EventSerializer.Deserialize(type, data), metadata, r.GetFieldValue<DateTimeOffset>(6));
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
        {
            // Name the event: an operator must be able to find the row that stops every reader.
            throw new InvalidDataException(
                $"The event at position {position} in stream '{stream}' (type '{type}') cannot be read: {ex.Message}", ex);
        }
    }

    // ---- snapshots ---------------------------------------------------------------------------------------------

    public Task SaveSnapshotAsync(long position, byte[] state, CancellationToken ct = default) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO snapshots (position, state) VALUES ($1, $2) ON CONFLICT (position) DO NOTHING", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = state });
        return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }, ct);

    public Task<ArchivedSnapshot?> ReadSnapshotAsync(long position, CancellationToken ct = default) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(
            "SELECT position, state FROM snapshots WHERE position <= $1 ORDER BY position DESC LIMIT 1", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        return await reader.ReadAsync(token).ConfigureAwait(false)
            ? new ArchivedSnapshot(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
            : null;
    }, ct);

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="work"/> on a pooled connection once the schema is there, reporting what it says about the database's health.</summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        try
        {
            T result;
            await using (var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false))
                result = await work(connection, ct).ConfigureAwait(false);
            Reachable();
            return result;
        }
        catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
        {
            Unreachable(ex);
            throw;
        }
    }

    private void StartListening()
    {
        if (Volatile.Read(ref _listener) is not null) return;
        lock (_gate) _listener ??= Task.Run(ListenLoopAsync);
    }

    /// <summary>
    /// One connection that LISTENs for appends from every process and wakes this process's subscriptions. Lost, it
    /// reconnects with backoff; meanwhile (and whenever a notification is lost) the subscriptions' poll carries on.
    /// </summary>
    private async Task ListenLoopAsync()
    {
        var ct = _disposing.Token;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_listenConnectionString);
                connection.Notification += (_, _) => _appended.Set();
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                if (failures > 0) Log.ListeningAgain(_logger, Server);
                failures = 0;
                Volatile.Write(ref _listening, 1);
                Reachable();
                // Whatever was committed while nobody listened: subscriptions look now.
                _appended.Set();
                while (true) await connection.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Volatile.Write(ref _listening, 0);
                return;
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _listening, 0);
                failures++;
                if (ex is NpgsqlException npgsql) Unreachable(npgsql);
                var delay = Backoff(failures);
                if (failures == 1) Log.ListenFailed(_logger, Server, ex.Message, delay, _options.PollInterval);
                else Log.ListenStillFailing(_logger, Server, failures, ex.Message, delay);
                _appended.Set();
                try
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = FirstBackoff * Math.Pow(2, Math.Min(failures - 1, 16));
        return delay < _options.MaxBackoff ? delay : _options.MaxBackoff;
    }

    private void Reachable()
    {
        if (_health.ReportReachable()) Log.ReachableAgain(_logger, Server);
    }

    private void Unreachable(NpgsqlException ex)
    {
        if (_health.ReportUnreachable(ex)) Log.Unreachable(_logger, Server, ex.Message);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _pending.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _listener) is { } listener) await listener.ConfigureAwait(false);
        if (Volatile.Read(ref _schema) is { } schema) await schema.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1121, Level = LogLevel.Error, Message = "Writing a batch of {Count} appends to PostgreSQL failed; none of them was written")]
        public static partial void BatchFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 1122, Level = LogLevel.Error, Message = "The commit of a batch of {Count} appends to PostgreSQL was interrupted; they may or may not have been written")]
        public static partial void CommitInterrupted(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 1123, Level = LogLevel.Debug, Message = "Retrying a batch of {Count} appends on a fresh connection: {Reason}")]
        public static partial void RetryingBatch(ILogger logger, int count, string reason);

        [LoggerMessage(EventId = 1124, Level = LogLevel.Warning, Message = "The event store at {Server} is unreachable: {Reason}")]
        public static partial void Unreachable(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = 1125, Level = LogLevel.Information, Message = "The event store at {Server} is reachable again")]
        public static partial void ReachableAgain(ILogger logger, string server);

        [LoggerMessage(EventId = 1126, Level = LogLevel.Warning, Message = "A subscription to $all could not read from position {Position}: {Reason}; retrying in {Delay}")]
        public static partial void SubscriptionReadFailed(ILogger logger, long position, string reason, TimeSpan delay);

        [LoggerMessage(EventId = 1127, Level = LogLevel.Debug, Message = "A subscription to $all still cannot read from position {Position} ({Failures} attempts): {Reason}; retrying in {Delay}")]
        public static partial void SubscriptionStillFailing(ILogger logger, long position, int failures, string reason, TimeSpan delay);

        [LoggerMessage(EventId = 1128, Level = LogLevel.Warning, Message = "Listening for appends at {Server} failed: {Reason}; reconnecting in {Delay}, and subscriptions poll every {PollInterval} meanwhile")]
        public static partial void ListenFailed(ILogger logger, string server, string reason, TimeSpan delay, TimeSpan pollInterval);

        [LoggerMessage(EventId = 1129, Level = LogLevel.Debug, Message = "Listening for appends at {Server} still fails ({Failures} attempts): {Reason}; reconnecting in {Delay}")]
        public static partial void ListenStillFailing(ILogger logger, string server, int failures, string reason, TimeSpan delay);

        [LoggerMessage(EventId = 1130, Level = LogLevel.Information, Message = "Listening for appends at {Server} again")]
        public static partial void ListeningAgain(ILogger logger, string server);

        [LoggerMessage(EventId = 1131, Level = LogLevel.Information, Message = "Migrated the event store schema at {Server} from version {From} to {To}")]
        public static partial void SchemaMigrated(ILogger logger, string server, int from, int to);

        [LoggerMessage(EventId = 1132, Level = LogLevel.Warning, Message = "$all has no event at position {Position} although later ones exist (a row written or deleted around the store); subscriptions wait there until it appears")]
        public static partial void GapInLog(ILogger logger, long position);
    }
}
