namespace Mesh.Registry.Store;

/// <summary>Appends events. An append that returned is durable.</summary>
public interface IEventWriter
{
    /// <summary>
    /// Appends atomically; throws <see cref="WrongExpectedVersionException"/> when <paramref name="expected"/> does not
    /// hold. Cancelling <paramref name="ct"/> stops the wait, not the write: the events may still be appended.
    /// </summary>
    Task<AppendResult> AppendAsync(StreamName stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default);
}

/// <summary>Reads what the log holds.</summary>
public interface IEventReader
{
    /// <summary>The stream's events from <paramref name="fromVersion"/> on, in order; empty for an unknown stream.</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamName stream, long fromVersion = 0, CancellationToken ct = default);

    /// <summary>$all from (and including) <paramref name="fromPosition"/>, in order, up to the head at the time of the call.</summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 1, int maxCount = int.MaxValue, CancellationToken ct = default);

    /// <summary>
    /// $all from (and including) <paramref name="fromPosition"/>: the events already there, then each new one as it
    /// is appended — gap-free, duplicate-free and in order — until <paramref name="ct"/> is cancelled.
    /// </summary>
    IAsyncEnumerable<RecordedEvent> SubscribeAllAsync(long fromPosition = 1, CancellationToken ct = default);

    /// <summary>The position of the last event in the log (0 when empty).</summary>
    Task<long> ReadHeadPositionAsync(CancellationToken ct = default);

    /// <summary>The position of the last event recorded at or before <paramref name="time"/> (the store's own clock); 0 when none was.</summary>
    Task<long> ReadPositionAtAsync(DateTimeOffset time, CancellationToken ct = default);
}

/// <summary>The event store: one global order plus per-stream versions.</summary>
public interface IEventStore : IEventWriter, IEventReader;
