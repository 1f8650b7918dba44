namespace Mesh.Registry.Store;

/// <summary>One event of an append, serialized: its type name, payload and metadata.</summary>
internal sealed record AppendRow(string Type, byte[] Data, byte[]? Metadata);

/// <summary>
/// An append waiting for its batch: the stores write the appends that queue up meanwhile in one transaction, then
/// complete each with its result or failure.
/// </summary>
internal sealed class PendingAppend(string stream, ExpectedVersion expected, AppendRow[] rows)
{
    public string Stream { get; } = stream;
    public ExpectedVersion Expected { get; } = expected;
    public AppendRow[] Rows { get; } = rows;
    public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public AppendResult Result { get; set; }
    public Exception? Failure { get; set; }

    /// <summary>
    /// Serializes <paramref name="events"/> on the caller's thread, so that concurrent callers share the JSON work
    /// instead of leaving it to the one writer.
    /// </summary>
    public static PendingAppend Of(StreamName stream, ExpectedVersion expected, IReadOnlyList<EventData> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) throw new ArgumentException("Nothing to append.", nameof(events));
        var rows = new AppendRow[events.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var e = events[i];
            rows[i] = new AppendRow(Events.EventTypes.NameOf(e.Event), Events.EventSerializer.Serialize(e.Event),
                e.Metadata == Events.EventMetadata.Empty ? null : Events.EventSerializer.SerializeMetadata(e.Metadata));
        }
        return new PendingAppend(stream.Value, expected, rows);
    }
}
