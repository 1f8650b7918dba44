using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Environments;

/// <summary>
/// Who serves <see cref="Service"/> for <see cref="Requested"/>: <see cref="AnsweredBy"/> is the environment on the
/// fallback chain whose instances these are (null when no environment on the chain runs the service).
/// </summary>
public sealed record EnvironmentResolution(
    string Requested,
    string Service,
    string? AnsweredBy,
    ImmutableArray<InstanceState> Instances)
{
    public bool Found => AnsweredBy is not null;

    public bool FellBack => AnsweredBy is not null && AnsweredBy != Requested;

    /// <summary>The instances that take traffic: passing, not in maintenance.</summary>
    public IEnumerable<InstanceState> Passing => Instances.Where(i => i.Status == HealthStatus.Passing);
}
