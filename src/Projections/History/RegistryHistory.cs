using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Store;

namespace Mesh.Projections.History;

/// <summary>
/// The registry at any point of the log: the nearest archived snapshot at or before it, plus the events after.
/// Times are the store's recorded times; a time names the last event recorded at or before it.
/// The last few states answered (and snapshots decoded) are kept with the snapshot they grew from: an operator moving
/// a time slider asks for positions close together, and a state already folded from the same snapshot is a closer
/// start than decoding it again. A kept state is used only while the archive still holds that snapshot byte for byte,
/// so every answer is still "this snapshot plus the log", as <c>mesh verify</c> checks it.
/// </summary>
public sealed class RegistryHistory(IEventReader store, ISnapshotArchive archive)
{
    // Each is a whole registry (megabytes at 10k instances), though states folded from one snapshot share most of it.
    private const int Kept = 4;

    private readonly Lock _lock = new();
    private readonly LinkedList<KeptState> _recent = new(); // most recently used first

    /// <summary>The registry exactly as it was once the event at <paramref name="position"/> was applied (0: empty; past the head: the head).</summary>
    public async Task<RegistryState> StateAtAsync(long position, CancellationToken ct = default)
    {
        var head = await store.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        position = Math.Clamp(position, 0, head);
        if (position == 0) return RegistryState.Empty;

        // A snapshot that cannot be read (an older format) falls back to an earlier one, at worst to replaying from zero.
        ArchivedSnapshot? from = null;
        RegistryState? state = null;
        for (var at = position; at > 0;)
        {
            if (await archive.ReadSnapshotAsync(at, ct).ConfigureAwait(false) is not { } snapshot) break;
            if (Nearest(snapshot, position) is { } kept)
            {
                (from, state) = (snapshot, kept);
                break;
            }
            if (SnapshotCodec.Decode(snapshot.State) is { } decoded)
            {
                (from, state) = (snapshot, Remember(snapshot, decoded));
                break;
            }
            at = snapshot.Position - 1;
        }
        if (state is null) (from, state) = (null, Nearest(null, position) ?? RegistryState.Empty);
        if (state.Position == position) return state;
        var folded = await RegistryProjection.FoldAsync(store.ReadAllAsync(state.Position + 1, (int)(position - state.Position), ct), state, ct).ConfigureAwait(false);
        return Remember(from, folded);
    }

    /// <summary>The registry at <paramref name="time"/>: after every event recorded at or before it.</summary>
    public async Task<RegistryState> StateAtAsync(DateTimeOffset time, CancellationToken ct = default) =>
        await StateAtAsync(await store.ReadPositionAtAsync(time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    public Task<long> PositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => store.ReadPositionAtAsync(time, ct);

    /// <summary>The kept state grown from <paramref name="snapshot"/> (null: from zero) closest before or at <paramref name="position"/>.</summary>
    private RegistryState? Nearest(ArchivedSnapshot? snapshot, long position)
    {
        lock (_lock)
        {
            LinkedListNode<KeptState>? best = null;
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                var kept = node.Value;
                if (kept.State.Position > position || (best is not null && kept.State.Position <= best.Value.State.Position)) continue;
                if (kept.From is null ? snapshot is null : snapshot is not null && kept.From.Position == snapshot.Position && kept.From.State.AsSpan().SequenceEqual(snapshot.State))
                    best = node;
            }
            if (best is null) return null;
            _recent.Remove(best);
            _recent.AddFirst(best);
            return best.Value.State;
        }
    }

    private RegistryState Remember(ArchivedSnapshot? from, RegistryState state)
    {
        lock (_lock)
        {
            _recent.AddFirst(new KeptState(from, state));
            while (_recent.Count > Kept) _recent.RemoveLast();
        }
        return state;
    }

    private sealed record KeptState(ArchivedSnapshot? From, RegistryState State);
}
