using Mesh.Projections.State;

namespace Mesh.Projections.Feed;

/// <summary>
/// The latest published <see cref="RegistryState"/>. Readers take <see cref="Current"/> without locks; waiters are
/// woken when a newer state is published. The wake-up signal is created only when someone waits, so replaying a
/// long log costs one volatile write per event.
/// </summary>
public sealed class RegistryFeed
{
    private RegistryState _current = RegistryState.Empty;
    private TaskCompletionSource? _changed;

    public RegistryState Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="state"/> current and wakes every waiter. Positions only move forward.</summary>
    public void Publish(RegistryState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Volatile.Write(ref _current, state);
        Interlocked.Exchange(ref _changed, null)?.TrySetResult();
    }

    /// <summary>
    /// A state with a position greater than <paramref name="position"/>, as soon as one is published; the current
    /// state when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<RegistryState> WaitForNewerAsync(long position, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var signal = Volatile.Read(ref _changed);
            if (signal is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _changed, fresh, null) ?? fresh;
            }
            // Checked after the signal is installed: a publish in between either sees our signal or is seen here.
            var state = Current;
            if (state.Position > position) return state;
            try
            {
                await signal.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Current;
            }
        }
    }
}
