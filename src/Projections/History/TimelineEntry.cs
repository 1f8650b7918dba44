using System.Text.Json.Serialization;
using Mesh.Registry.Events;

namespace Mesh.Projections.History;

/// <summary>
/// One event in a <see cref="Timeline"/>: where it sits in the log (<see cref="Position"/>, <see cref="RecordedAt"/>,
/// the store's time), what the source said about it (<see cref="SourceTime"/>, <see cref="SourceFactId"/>,
/// <see cref="CorrelationId"/>), its stable type name, the instance and the service it was about at the time (null for
/// events that are not about one instance, and for an instance that was not registered), a one-line
/// <see cref="Summary"/> and the event itself.
/// </summary>
public sealed record TimelineEntry(
    long Position,
    DateTimeOffset RecordedAt,
    DateTimeOffset? SourceTime,
    string? SourceFactId,
    string? CorrelationId,
    string Type,
    string? InstanceId,
    string? Service,
    string Summary,
    [property: JsonConverter(typeof(EventJsonConverter))] IEvent Event);
