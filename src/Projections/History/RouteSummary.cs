using System.Collections.Immutable;
using Mesh.Projections.Routes;

namespace Mesh.Projections.History;

/// <summary>A route as a diff shows it: host and path prefix, the cluster it leads to and its destinations (<c>address:port</c>).</summary>
public sealed record RouteSummary(string Host, string PathPrefix, string Cluster, ImmutableArray<string> Destinations)
{
    internal static RouteSummary Of(Route route) =>
        new(route.Host, route.PathPrefix, route.Cluster.Id, HistoryText.Endpoints(route.Cluster));
}
