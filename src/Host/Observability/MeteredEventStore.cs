using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Host.Observability;

/// <summary>
/// Counts what goes through <see cref="IEventStore.AppendAsync"/> and passes everything else through, so the
/// store itself knows nothing of metrics.
/// </summary>
internal sealed class MeteredEventStore(IEventStore inner, MeshMetrics metrics) : IEventStore
{
    public async Task<AppendResult> AppendAsync(
        StreamName stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        AppendResult result;
        try
        {
            result = await inner.AppendAsync(stream, expected, events, ct).ConfigureAwait(false);
        }
        catch (WrongExpectedVersionException)
        {
            metrics.AppendConflicts.Inc();
            throw;
        }
        foreach (var e in events)
            metrics.EventsAppended.WithLabels(EventTypes.NameOf(e.Event)).Inc();
        return result;
    }

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamName stream, long fromVersion = 0, CancellationToken ct = default) =>
        inner.ReadStreamAsync(stream, fromVersion, ct);

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, ct);

    public IAsyncEnumerable<RecordedEvent> SubscribeAllAsync(long fromPosition = 1, CancellationToken ct = default) =>
        inner.SubscribeAllAsync(fromPosition, ct);

    public Task<long> ReadHeadPositionAsync(CancellationToken ct = default) => inner.ReadHeadPositionAsync(ct);

    public Task<long> ReadPositionAtAsync(DateTimeOffset time, CancellationToken ct = default) => inner.ReadPositionAtAsync(time, ct);
}
