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
}
