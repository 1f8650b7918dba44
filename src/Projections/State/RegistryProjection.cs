using Mesh.Registry.Store;

namespace Mesh.Projections.State;

/// <summary>Apply(state, event) → state. Pure: the same events always fold to the same state.</summary>
public static class RegistryProjection
{
    public static RegistryState Apply(RegistryState state, RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(recorded);
        var builder = new RegistryStateBuilder(state);
        builder.Apply(recorded);
        return builder.ToState();
    }

    /// <summary>The same as applying <paramref name="events"/> one by one, without building each intermediate state.</summary>
    public static RegistryState Fold(IEnumerable<RecordedEvent> events, RegistryState? from = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var builder = new RegistryStateBuilder(from ?? RegistryState.Empty);
        foreach (var e in events) builder.Apply(e);
        return builder.ToState();
    }

    /// <summary><see cref="Fold"/> over an asynchronous sequence, e.g. a read of $all.</summary>
    public static async Task<RegistryState> FoldAsync(IAsyncEnumerable<RecordedEvent> events, RegistryState? from = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var builder = new RegistryStateBuilder(from ?? RegistryState.Empty);
        await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false)) builder.Apply(e);
        return builder.ToState();
    }
}
