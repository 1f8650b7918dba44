namespace Mesh.Registry.Events;

/// <summary>
/// A fact a source saw that changes no instance but matters when reconstructing what happened (a Marathon
/// deployment step, an API change to an app). Kept verbatim for forensics in the stream <c>source-{Source}-{Node}</c>.
/// </summary>
public sealed record SourceFactRecorded(string Source, string Node, string EventType, string Payload) : IEvent;
