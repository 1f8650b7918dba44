using Mesh.Registry.Events;

namespace Mesh.Registry.Store;

/// <summary>An event about to be appended, with what is known of its origin.</summary>
public sealed record EventData(IEvent Event, EventMetadata Metadata)
{
    public EventData(IEvent e) : this(e, EventMetadata.Empty) { }
}
