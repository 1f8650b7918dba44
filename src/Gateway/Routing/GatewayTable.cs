using System.Collections.Concurrent;
using Mesh.Projections.Routes;

namespace Mesh.Gateway.Routing;

/// <summary>
/// A <see cref="RouteTable"/> with the runtime of each route, made on first use (a table has a route per service and
/// environment; most are never asked for). Replaced whole when the registry changes.
/// </summary>
internal sealed class GatewayTable(RouteTable routes, Func<Route, RouteRuntime> runtimeOf)
{
    private readonly ConcurrentDictionary<Route, RouteRuntime> _runtimes = new(ReferenceEqualityComparer.Instance);

    public RouteTable Routes { get; } = routes;

    public long Position => Routes.Position;

    public RouteRuntime RuntimeOf(Route route) => _runtimes.GetOrAdd(route, runtimeOf);
}
