using System.Collections.Immutable;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// A running container as the source last inspected it: its fingerprint, the instances the registry accepted
/// for it (with their checks) and how many of its observations were rejected.
/// </summary>
internal sealed record KnownContainer(
    string ContainerId,
    ContainerFingerprint Fingerprint,
    ImmutableArray<InstanceSeen> Instances,
    int Rejected);

/// <summary>What syncing one container did: whether it runs, and how many registrations and rejections it took.</summary>
internal sealed record SyncOutcome(bool Running, int Registered, int Rejected)
{
    public static readonly SyncOutcome NotRunning = new(false, 0, 0);
}
