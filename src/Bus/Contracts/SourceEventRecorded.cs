namespace Mesh.Bus.Contracts;

/// <summary>A registry's answer to <see cref="RecordSourceEvent"/>: the event's position in the log.</summary>
public sealed record SourceEventRecorded(long Position);
