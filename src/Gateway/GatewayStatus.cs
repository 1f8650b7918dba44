using Mesh.Gateway.Routing;
using Mesh.Projections.Routes;

namespace Mesh.Gateway;

/// <summary>What <c>/v1/mesh/status</c> shows of the gateway: where it listens, the position its routes are at, the route conflicts, and the instances passive health took out.</summary>
public sealed class GatewayStatus
{
    private readonly RouteTableFeed _feed;
    private readonly GatewayEndpoints _endpoints;

    internal GatewayStatus(RouteTableFeed feed, GatewayEndpoints endpoints)
    {
        _feed = feed;
        _endpoints = endpoints;
    }

    public GatewayStatusView Current
    {
        get
        {
            var table = _feed.Current.Routes;
            var now = Environment.TickCount64;
            return new GatewayStatusView(
                _endpoints.Addresses.Select(a => a.ToString().TrimEnd('/')).ToArray(),
                table.Position,
                table.Routes.Length,
                table.Clusters.Count,
                table.Conflicts,
                _feed.Health.Values.Where(h => h.IsOut(now)).Select(h => h.Key).Order(StringComparer.Ordinal).ToArray());
        }
    }
}

/// <summary>The gateway's status; <see cref="OutDestinations"/> are <c>instance@http://address:port</c>.</summary>
public sealed record GatewayStatusView(
    IReadOnlyList<string> Listening,
    long Position,
    int Routes,
    int Clusters,
    IReadOnlyList<RouteConflict> Conflicts,
    IReadOnlyList<string> OutDestinations);
