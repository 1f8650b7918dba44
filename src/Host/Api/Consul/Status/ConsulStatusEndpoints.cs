using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mesh.Host.Api.Consul.Status;

/// <summary>
/// <c>/v1/status/leader</c> and <c>/v1/status/peers</c>. Mesh is its own (only) server, so both name the address the
/// API listens on; registrator pings the leader endpoint to know the agent is up.
/// </summary>
internal static class ConsulStatusEndpoints
{
    public static RouteGroupBuilder MapConsulStatusEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/status/leader", (IServer server, ConsulAgent agent) => Results.Json(Self(server, agent)));
        v1.MapGet("/status/peers", (IServer server, ConsulAgent agent) => Results.Json(new[] { Self(server, agent) }));
        return v1;
    }

    // The bound address (after port 0 was resolved), as host:port.
    private static string Self(IServer server, ConsulAgent agent)
    {
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var url)
            ? $"{url.Host}:{url.Port}"
            : $"{agent.Address}:8500";
    }
}
