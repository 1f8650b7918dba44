using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// <c>mesh.route.host</c> (one or more hosts, comma-separated), <c>mesh.route.path</c> (default "/"),
/// <c>mesh.route.strip-prefix</c>, <c>mesh.route.https-redirect</c> and <c>mesh.route.timeout</c> → routes, read by
/// <see cref="RouteSettings"/> as the Consul API's Meta <c>mesh-route-*</c> and Marathon's labels are.
/// </summary>
internal static class RouteLabels
{
    public static ImmutableArray<RouteSpec> Read(ContainerSettings settings, List<string> reasons)
    {
        RouteSetting Label(string key) => new($"label {key}", settings.Label(key)?.Value);
        return RouteSettings.Read(
            new RouteDeclaration(Label(MeshLabels.RouteHost), Label(MeshLabels.RoutePath), Label(MeshLabels.RouteStripPrefix),
                Label(MeshLabels.RouteHttpsRedirect), Label(MeshLabels.RouteTimeout)),
            reasons);
    }
}
