namespace Mesh.Projections.Routes;

/// <summary>A passing, routable instance of a cluster: where requests go, and the deploy version it runs.</summary>
public sealed record RouteDestination(string InstanceId, string Address, int Port, string? Version)
{
    /// <summary><c>http://address:port</c> (IPv6 in brackets), what a forwarder prefixes the request path with.</summary>
    public string BaseUrl { get; } = $"http://{(Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address)}:{Port}";
}
