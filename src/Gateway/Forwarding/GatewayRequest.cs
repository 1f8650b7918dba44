using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Routing;

namespace Mesh.Gateway.Forwarding;

/// <summary>One request's forwarding state, handed from the middleware to the transformer as a request feature.</summary>
internal sealed class GatewayRequest(RouteRuntime route, string requestId, string? pinnedVersion)
{
    public RouteRuntime Route { get; } = route;

    public string RequestId { get; } = requestId;

    /// <summary>The version the client's cookie pinned it to, if any.</summary>
    public string? PinnedVersion { get; } = pinnedVersion;

    /// <summary>The target of the current attempt.</summary>
    public Target? Target { get; set; }
}
