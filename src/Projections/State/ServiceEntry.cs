using System.Collections.Immutable;

namespace Mesh.Projections.State;

/// <summary>
/// The registered instances of one service and the position of the last event that changed any of them. Kept
/// (empty) after the last instance goes, so a blocking query on a vanished service still sees its index move.
/// </summary>
public sealed record ServiceEntry(ImmutableSortedSet<string> InstanceIds, long ModifyPosition)
{
    public static readonly ServiceEntry Empty = new([], 0);
}
