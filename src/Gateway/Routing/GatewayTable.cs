using System.Collections.Concurrent;
using Mesh.Projections.Routes;

namespace Mesh.Gateway.Routing;

/// <summary>
/// A <see cref="RouteTable"/> with the runtime of each route, made on first use (a table has a route per service and
/// environment; most are never asked for). Replaced whole when the registry changes; an event that changes nothing
/// the routes come from (an nginx audit record, a source fact) only moves <see cref="Position"/> on (<see cref="At"/>).
/// </summary>
internal sealed class GatewayTable
{
    private readonly ConcurrentDictionary<Route, RouteRuntime> _runtimes;
    private readonly Func<Route, RouteRuntime> _runtimeOf;

    public GatewayTable(RouteTable routes, Func<Route, RouteRuntime> runtimeOf)
        : this(routes, routes.Position, runtimeOf, new ConcurrentDictionary<Route, RouteRuntime>(ReferenceEqualityComparer.Instance))
    {
    }

    private GatewayTable(RouteTable routes, long position, Func<Route, RouteRuntime> runtimeOf, ConcurrentDictionary<Route, RouteRuntime> runtimes)
    {
        Routes = routes;
        Position = position;
        _runtimeOf = runtimeOf;
        _runtimes = runtimes;
    }

    public RouteTable Routes { get; }

    /// <summary>The registry position these routes hold for; the table may have been built at an earlier one.</summary>
    public long Position { get; }

    /// <summary>This table at a later <paramref name="position"/> whose state routes the same, sharing its runtimes.</summary>
    public GatewayTable At(long position) => new(Routes, position, _runtimeOf, _runtimes);

    public RouteRuntime RuntimeOf(Route route) => _runtimes.GetOrAdd(route, _runtimeOf);
}
