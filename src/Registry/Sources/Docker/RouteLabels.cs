using System.Collections.Immutable;
using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// <c>mesh.route.host</c> (one or more hosts, comma-separated) and <c>mesh.route.path</c> (default "/") → routes,
/// with the same rules as the Consul API's Meta <c>mesh-route-host</c> / <c>mesh-route-path</c>.
/// </summary>
internal static class RouteLabels
{
    public static ImmutableArray<RouteSpec> Read(ContainerSettings settings, List<string> reasons)
    {
        var hosts = settings.Label(MeshLabels.RouteHost)?.Value;
        var path = settings.Label(MeshLabels.RoutePath)?.Value;
        if (string.IsNullOrWhiteSpace(hosts))
        {
            if (!string.IsNullOrEmpty(path))
                reasons.Add($"label {MeshLabels.RoutePath} '{path}' needs label {MeshLabels.RouteHost} (the host the route answers)");
            return [];
        }
        if (string.IsNullOrEmpty(path)) path = "/";
        else if (!path.StartsWith('/')) reasons.Add($"label {MeshLabels.RoutePath} '{path}' must start with '/'");

        var routes = ImmutableArray.CreateBuilder<RouteSpec>();
        foreach (var host in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (Uri.CheckHostName(host) != UriHostNameType.Dns)
                reasons.Add($"label {MeshLabels.RouteHost} '{host}' is not a host name");
            else
                routes.Add(new RouteSpec(host.ToLowerInvariant(), path));
        }
        return routes.ToImmutable();
    }
}
