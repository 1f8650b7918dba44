using System.Net;

namespace Mesh.Gateway.Routing;

/// <summary>
/// Some of Mesh's own listeners (the API's, the gateway's), by their configured URLs: whether an instance's address
/// and port are one of them.
/// </summary>
internal sealed class OwnEndpoints(IEnumerable<string?> urls)
{
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
