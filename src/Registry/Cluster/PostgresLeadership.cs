using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mesh.Registry.Cluster;

/// <summary>
/// Leadership among registries sharing one PostgreSQL store: the leader is the process holding a session advisory
/// lock. The lock lives as long as the connection that took it, so a leader that dies (even by <c>kill -9</c>) or
/// loses the database lets it go, and another registry takes it on its next try (every <see cref="RetryEvery"/>).
/// The leader checks its connection as often, and stops leading as soon as the check fails.
/// </summary>
internal sealed partial class PostgresLeadership(IOptions<StoreOptions> options, ILogger<PostgresLeadership> logger)
    : BackgroundService, ILeadership
{
    // Any fixed 64-bit key, the same in every registry ("mesh-ldr").
    private const long LockKey = 0x6d6573682d6c6472;
    internal static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    public async Task<CancellationToken> WaitForLeadershipAsync(CancellationToken ct)
    {
        Task<CancellationToken> leading;
        lock (_gate) leading = _leading.Task;
        var term = await leading.WaitAsync(ct).ConfigureAwait(false);
        return CancellationTokenSource.CreateLinkedTokenSource(term, ct).Token;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Unpooled: the lock belongs to this session, which must end (and free it) when leading ends.
                var unpooled = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Pooling = false };
                await using var connection = new NpgsqlConnection(unpooled.ConnectionString);
                await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection) { Parameters = { new("key", LockKey) } };
                if ((bool)(await take.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false))!)
                    await LeadAsync(connection, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.TryFailed(logger, ex.Message);
            }
            try { await Task.Delay(RetryEvery, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    // Holds the lock until the connection fails or the process stops; then ends the term.
    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        using var term = new CancellationTokenSource();
        lock (_gate)
        {
            _isLeader = true;
            _leading.TrySetResult(term.Token);
        }
        Log.Elected(logger);
        try
        {
            while (true)
            {
                await Task.Delay(RetryEvery, stoppingToken).ConfigureAwait(false);
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(RetryEvery);
                await ping.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _isLeader = false;
                _leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            if (!stoppingToken.IsCancellationRequested) Log.Lost(logger);
            await term.CancelAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Elected leader (PostgreSQL advisory lock held)")]
        public static partial void Elected(ILogger logger);

        [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Lost leadership: the connection holding the lock failed")]
        public static partial void Lost(ILogger logger);

        [LoggerMessage(EventId = 1413, Level = LogLevel.Warning, Message = "Could not try for leadership: {Error}")]
        public static partial void TryFailed(ILogger logger, string error);
    }
}
