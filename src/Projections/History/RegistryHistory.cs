using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Store;

namespace Mesh.Projections.History;

/// <summary>
/// The registry at any point of the log: the nearest archived snapshot at or before it, plus the events after.
/// Times are the store's recorded times; a time names the last event recorded at or before it.
/// </summary>
public sealed class RegistryHistory(IEventReader store, ISnapshotArchive archive)
{
    /// <summary>The registry exactly as it was once the event at <paramref name="position"/> was applied (0: empty; past the head: the head).</summary>
    public async Task<RegistryState> StateAtAsync(long position, CancellationToken ct = default)
    {
        var head = await store.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        position = Math.Clamp(position, 0, head);
        if (position == 0) return RegistryState.Empty;
        var state = RegistryState.Empty;
        // A snapshot that cannot be read (an older format) falls back to an earlier one, at worst to replaying from zero.
        for (var at = position; at > 0;)
        {
            if (await archive.ReadSnapshotAsync(at, ct).ConfigureAwait(false) is not { } snapshot) break;
            if (SnapshotCodec.Decode(snapshot.State) is { } decoded)
            {
                state = decoded;
                break;
            }
            at = snapshot.Position - 1;
        }
        if (state.Position == position) return state;
        return await RegistryProjection.FoldAsync(store.ReadAllAsync(state.Position + 1, (int)(position - state.Position), ct), state, ct).ConfigureAwait(false);
    }

    /// <summary>The registry at <paramref name="time"/>: after every event recorded at or before it.</summary>
    public async Task<RegistryState> StateAtAsync(DateTimeOffset time, CancellationToken ct = default) =>
        await StateAtAsync(await store.ReadPositionAtAsync(time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    public Task<long> PositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => store.ReadPositionAtAsync(time, ct);
}
