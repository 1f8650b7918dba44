using Mesh.Projections.Routes;

namespace Mesh.Gateway.LoadBalancing;

/// <summary>A destination of a route, with the runtime health the gateway keeps for its endpoint.</summary>
internal sealed record Target(RouteDestination Destination, DestinationHealth Health);
