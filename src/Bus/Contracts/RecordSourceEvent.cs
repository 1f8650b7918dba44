using System.Text.Json;

namespace Mesh.Bus.Contracts;

/// <summary>
/// Record a source's own event: a <c>SourceReconciled</c> summary or a <c>SourceFactRecorded</c> fact, by its stable
/// event <see cref="Type"/> name and JSON. <see cref="Source"/> and <see cref="Node"/> repeat the event's: the
/// registry records one source's events in the order they were sent. Answered with <see cref="SourceEventRecorded"/>
/// when it is a request.
/// </summary>
public sealed record RecordSourceEvent(string Type, string Source, string Node, JsonElement Event, JsonElement Metadata);
