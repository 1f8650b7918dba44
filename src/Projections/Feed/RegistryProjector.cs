using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Cluster;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Projections.Feed;

/// <summary>
/// Folds $all into <see cref="RegistryState"/> and publishes each new state on the <see cref="RegistryFeed"/>.
/// On start it loads the snapshot and catches up to the store's head before anything else starts, so no reader
/// ever sees a half-replayed registry; then it follows the log live and writes a snapshot every N events and
/// on stop. With an <see cref="ISnapshotArchive"/>, it also archives the state at every multiple of N in the store
/// (catching up archives the boundaries the archive lacks), so the registry at any position can be rebuilt from the
/// nearest one. Archiving is work for one process of a cluster: with an <see cref="ILeadership"/>, only the leader
/// archives.
/// </summary>
public sealed partial class RegistryProjector(
    IEventReader store,
    RegistryFeed feed,
    SnapshotStore snapshots,
    IOptions<SnapshotOptions> options,
    ILogger<RegistryProjector> logger,
    ISnapshotArchive? archive = null,
    ILeadership? leadership = null,
    StoreHealth? storeHealth = null) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _live = Task.CompletedTask;
    private long _snapshotPosition;

    public async Task StartAsync(CancellationToken ct)
    {
        var state = await snapshots.LoadAsync(ct).ConfigureAwait(false) ?? RegistryState.Empty;
        long head;
        try
        {
            head = await store.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && storeHealth is { Reachable: false })
        {
            // A server store that is down: serve the checkpoint rather than nothing, and catch up once it answers
            // (the follow loop retries). Anything else (an unreadable event) still stops the start.
            Log.StartedUnreachable(logger, state.Position, ex.Message);
            _snapshotPosition = state.Position;
            feed.Publish(state);
            _live = Task.Run(() => FollowAsync(state, _stopping.Token), CancellationToken.None);
            return;
        }
        if (state.Position > head)
        {
            // The snapshot belongs to a log that is no longer there (the store was replaced): start over.
            Log.SnapshotAhead(logger, state.Position, head);
            state = RegistryState.Empty;
        }
        var from = state.Position;
        _snapshotPosition = state.Position;
        state = await CatchUpAsync(state, ct).ConfigureAwait(false);
        feed.Publish(state);
        Log.CaughtUp(logger, from, state.Position);
        _live = Task.Run(() => FollowAsync(state, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _live.WaitAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        if (feed.Current.Position != _snapshotPosition)
            await snapshots.SaveAsync(feed.Current, ct).ConfigureAwait(false);
    }

    // Folds to the head; with an archive, in segments ending at the multiples of N, archiving those it lacks.
    private async Task<RegistryState> CatchUpAsync(RegistryState state, CancellationToken ct)
    {
        if (archive is null || !Archives) return await RegistryProjection.FoldAsync(store.ReadAllAsync(state.Position + 1, int.MaxValue, ct), state, ct).ConfigureAwait(false);
        var every = options.Value.SnapshotEvery;
        var archived = (await archive.ReadSnapshotAsync(long.MaxValue, ct).ConfigureAwait(false))?.Position ?? 0;
        while (true)
        {
            var boundary = (state.Position / every + 1) * every;
            var before = state.Position;
            state = await RegistryProjection.FoldAsync(store.ReadAllAsync(state.Position + 1, (int)(boundary - state.Position), ct), state, ct).ConfigureAwait(false);
            if (state.Position == boundary && boundary > archived) await archive.SaveSnapshotAsync(boundary, SnapshotCodec.Encode(state), ct).ConfigureAwait(false);
            if (state.Position < boundary || state.Position == before) return state;
        }
    }

    private bool Archives => archive is not null && options.Value.Archive && (leadership?.IsLeader ?? true);

    private async Task FollowAsync(RegistryState state, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in store.SubscribeAllAsync(state.Position + 1, ct).ConfigureAwait(false))
                {
                    state = RegistryProjection.Apply(state, e);
                    feed.Publish(state);
                    if (Archives && state.Position % options.Value.SnapshotEvery == 0) Archive(state, ct);
                    if (state.Position - _snapshotPosition >= options.Value.SnapshotEvery)
                    {
                        await snapshots.SaveAsync(state, ct).ConfigureAwait(false);
                        _snapshotPosition = state.Position;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store went away for a moment: keep serving the last state, and resume where we stopped.
                Log.FollowFailed(logger, state.Position, ex);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    // Encoding a large registry takes tens of milliseconds: off the follow loop (the state is immutable).
    private void Archive(RegistryState state, CancellationToken ct) => _ = Task.Run(async () =>
    {
        try
        {
            await archive!.SaveSnapshotAsync(state.Position, SnapshotCodec.Encode(state), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            Log.ArchiveFailed(logger, state.Position, ex);
        }
    }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _live.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Registry projection caught up from position {From} to {Position}")]
        public static partial void CaughtUp(ILogger logger, long from, long position);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Snapshot at position {Snapshot} is ahead of the store head {Head}; replaying from zero")]
        public static partial void SnapshotAhead(ILogger logger, long snapshot, long head);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The snapshot at position {Position} could not be archived; the state at positions after it is rebuilt from an earlier one")]
        public static partial void ArchiveFailed(ILogger logger, long position, Exception exception);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "The event store is unreachable at start ({Error}); serving the checkpoint at position {Position} until it answers")]
        public static partial void StartedUnreachable(ILogger logger, long position, string error);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Following the log failed at position {Position}; retrying")]
        public static partial void FollowFailed(ILogger logger, long position, Exception exception);
    }
}
