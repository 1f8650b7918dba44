namespace Mesh.Projections.Routes;

/// <summary>The route a request matched, and its cluster.</summary>
public readonly record struct RouteMatch(Route Route)
{
    public RouteCluster Cluster => Route.Cluster;
}
