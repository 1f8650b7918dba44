using System.Net;

namespace Mesh.Gateway.Routing;

/// <summary>
/// Mesh's own listeners (the API, the gateway itself). A generated route never forwards to them: the gateway would
/// expose the API, or loop into itself. Only a route that an instance declared may name the API.
/// </summary>
internal sealed class OwnEndpoints(IEnumerable<string?> urls, IEnumerable<string?> gatewayUrls)
{
    private readonly OwnEndpoints? _gateway = gatewayUrls.Any() ? new OwnEndpoints(gatewayUrls, []) : null;

    /// <summary>The gateway's own listeners: no route, declared or not, forwards there.</summary>
    public bool IsGateway(string address, int port) => _gateway?.Contains(address, port) ?? false;

    private readonly (string Host, int Port)[] _endpoints = urls
        .Where(u => !string.IsNullOrWhiteSpace(u) && Uri.TryCreate(u, UriKind.Absolute, out _))
        .Select(u => new Uri(u!))
        .Select(u => (u.Host.Trim('[', ']'), u.Port))
        .ToArray();

    public bool Contains(string address, int port)
    {
        foreach (var (host, p) in _endpoints)
        {
            if (p != port) continue;
            if (string.Equals(host, address, StringComparison.OrdinalIgnoreCase)) return true;
            // A wildcard listener answers on every local address, loopback included.
            if (host is "0.0.0.0" or "::" or "*" or "+" or "localhost" && IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip)) return true;
        }
        return false;
    }
}
