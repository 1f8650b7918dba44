using System.Collections.Immutable;
using Mesh.Projections.Environments;

namespace Mesh.Projections.Routes;

/// <summary>
/// One service as seen from one environment: the passing, routable instances that take its traffic.
/// <see cref="AnsweredBy"/> is the environment on the fallback chain whose instances these are (null: no
/// environment on the chain runs the service, so there are no destinations).
/// </summary>
public sealed record RouteCluster(string Id, string Service, string Env, string? AnsweredBy, ImmutableArray<RouteDestination> Destinations)
{
    /// <summary><c>web</c> for integration, <c>web--feature-x</c> for other environments (the nginx upstream names).</summary>
    public static string IdOf(string service, string env) =>
        env == EnvironmentNames.Integration ? service : $"{service}--{env}";
}
