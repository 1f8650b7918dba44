using System.Collections.Immutable;
using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>What an observation means: the events to append, and, when it was refused, why.</summary>
public sealed record Decision(ImmutableArray<IInstanceEvent> Events, string? Error)
{
    public static readonly Decision Nothing = new([], null);

    public static Decision Of(IInstanceEvent e) => new([e], null);

    public bool IsRejected => Error is not null;
}
