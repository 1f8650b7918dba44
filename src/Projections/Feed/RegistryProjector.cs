using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Projections.Feed;

/// <summary>
/// Folds $all into <see cref="RegistryState"/> and publishes each new state on the <see cref="RegistryFeed"/>.
/// On start it loads the snapshot and catches up to the store's head before anything else starts, so no reader
/// ever sees a half-replayed registry; then it follows the log live and writes a snapshot every N events and
/// on stop.
/// </summary>
public sealed partial class RegistryProjector(
    IEventReader store,
    RegistryFeed feed,
    SnapshotStore snapshots,
    IOptions<SnapshotOptions> options,
    ILogger<RegistryProjector> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _live = Task.CompletedTask;
    private long _snapshotPosition;

    public async Task StartAsync(CancellationToken ct)
    {
        var state = await snapshots.LoadAsync(ct).ConfigureAwait(false) ?? RegistryState.Empty;
        var head = await store.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        if (state.Position > head)
        {
            // The snapshot belongs to a log that is no longer there (the store was replaced): start over.
            Log.SnapshotAhead(logger, state.Position, head);
            state = RegistryState.Empty;
        }
        var from = state.Position;
        _snapshotPosition = state.Position;
        state = await RegistryProjection.FoldAsync(store.ReadAllAsync(state.Position + 1, int.MaxValue, ct), state, ct).ConfigureAwait(false);
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

        [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Following the log failed at position {Position}; retrying")]
        public static partial void FollowFailed(ILogger logger, long position, Exception exception);
    }
}
