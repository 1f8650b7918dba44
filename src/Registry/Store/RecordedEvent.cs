using Mesh.Registry.Events;

namespace Mesh.Registry.Store;

/// <summary>
/// An event as the log holds it. <see cref="Position"/> is its place in the global order ($all), counted from 1
/// and gap-free; <see cref="StreamVersion"/> its place in its own stream, counted from 0.
/// </summary>
public sealed record RecordedEvent(
    long Position,
    StreamName Stream,
    long StreamVersion,
    string Type,
    IEvent Event,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt);
