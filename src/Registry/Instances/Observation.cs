using System.Collections.Immutable;
using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>
/// What a source saw about one instance. Sources never write events: they hand observations to the registry,
/// which decides what (if anything) they mean.
/// </summary>
public abstract record Observation(string InstanceId, string Source)
{
    public EventMetadata Metadata { get; init; } = EventMetadata.Empty;
}

/// <summary>The instance runs with this definition (a start, a registration, a reconcile listing).</summary>
public sealed record InstanceSeen(
    string InstanceId,
    string Source,
    string Service,
    string Env,
    string Address,
    int Port,
    ImmutableArray<string> Tags,
    ImmutableSortedDictionary<string, string> Meta,
    ImmutableArray<RouteSpec> Routes,
    string? Version,
    string Node,
    ImmutableArray<CheckSpec> Checks) : Observation(InstanceId, Source);

/// <summary>The instance stopped, died, was removed or deregistered.</summary>
public sealed record InstanceGone(string InstanceId, string Source, string Reason) : Observation(InstanceId, Source);

/// <summary>A check of the instance reported a status.</summary>
public sealed record CheckReported(string InstanceId, string Source, string CheckId, HealthStatus Status, string Output)
    : Observation(InstanceId, Source);

/// <summary>An operator put the instance into or out of maintenance.</summary>
public sealed record MaintenanceRequested(string InstanceId, string Source, bool Enabled, string Reason)
    : Observation(InstanceId, Source);

/// <summary>A source saw an instance it cannot register (garbage labels, no name): recorded as a rejection.</summary>
public sealed record InstanceInvalid(string InstanceId, string Source, string Reason) : Observation(InstanceId, Source);
