using Mesh.Projections.State;
using Mesh.Registry.Store;

namespace Mesh.Projections.Feed;

/// <summary>
/// The latest published <see cref="RegistryState"/>. Readers take <see cref="Current"/> without locks; waiters are
/// woken when a newer state is published. The wake-up signal is created only when someone waits, so replaying a
/// long log costs one volatile write per event.
/// </summary>
public sealed class RegistryFeed
{
    private readonly AsyncSignal _changed = new();
    private RegistryState _current = RegistryState.Empty;

    public RegistryState Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="state"/> current and wakes every waiter. Positions only move forward.</summary>
    public void Publish(RegistryState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Volatile.Write(ref _current, state);
        _changed.Set();
    }

    /// <summary>
    /// A state with a position greater than <paramref name="position"/>, as soon as one is published; the current
    /// state when <paramref name="timeout"/> passes first.
    /// </summary>
    public Task<RegistryState> WaitForNewerAsync(long position, TimeSpan timeout, CancellationToken ct = default) =>
        _changed.WaitForAsync(() => Current, state => state.Position > position, timeout, ct);

    /// <summary>
    /// A consumer's loop: hands each state newer than <paramref name="position"/>() to <paramref name="apply"/> (which
    /// builds and swaps in its view), until <paramref name="ct"/> is cancelled. A state whose registry is the one last
    /// applied (<see cref="RegistryState.HasSameRegistryAs"/>: only events no view reads came between, such as nginx
    /// audit records or source facts) goes to <paramref name="moveTo"/> instead, with its position: the view stays, at
    /// the new position. A state <paramref name="apply"/> fails on goes to <paramref name="failed"/> and is retried a
    /// second later: the consumer's last good view keeps serving.
    /// </summary>
    public async Task FollowAsync(
        Func<long> position, Action<RegistryState> apply, Action<long> moveTo, Action<long, Exception> failed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(moveTo);
        ArgumentNullException.ThrowIfNull(failed);
        RegistryState? applied = null;
        while (!ct.IsCancellationRequested)
        {
            RegistryState state;
            try
            {
                state = await WaitForNewerAsync(position(), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            if (state.Position <= position()) continue;
            if (applied is not null && state.HasSameRegistryAs(applied))
            {
                moveTo(state.Position);
                continue;
            }
            try
            {
                apply(state);
                applied = state;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed(state.Position, ex);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
