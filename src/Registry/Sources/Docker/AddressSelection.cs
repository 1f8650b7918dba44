using Docker.DotNet.Models;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// A container port → the address and port other hosts dial, in this order:
/// host-networked: the host address and the port itself;
/// on the configured network (<see cref="DockerHost.Network"/>): the container's IP there and the port;
/// published (<c>NetworkSettings.Ports</c>): the host address (or the IP the binding is limited to) and the host port;
/// no network configured: the container's IP on the first network that gives it one (by name) and the port;
/// else unroutable.
/// </summary>
internal static class AddressSelection
{
    public const string HostNetworkMode = "host";

    public static ContainerEndpoint Resolve(ContainerInspectResponse container, DockerHost host, int? containerPort, string? noPortReason)
    {
        var networks = NetworkAddresses(container);
        var hostNetworked = container.HostConfig?.NetworkMode == HostNetworkMode;
        var onConfigured = networks.Where(n => n.Network == host.Network).Select(n => n.Address).FirstOrDefault();
        // Where an unroutable instance is said to be: the best address known, for people reading the registry.
        var fallback = hostNetworked ? host.HostAddress : onConfigured ?? (networks.Count > 0 ? networks[0].Address : host.HostAddress);

        if (containerPort is not { } port) return new ContainerEndpoint(fallback, 0, noPortReason ?? "no port");
        if (hostNetworked) return new ContainerEndpoint(host.HostAddress, port, null);
        if (onConfigured is not null) return new ContainerEndpoint(onConfigured, port, null);
        if (Published(container, host, port) is { } published) return published;
        if (host.Network is null && networks.Count > 0) return new ContainerEndpoint(networks[0].Address, port, null);
        return new ContainerEndpoint(fallback, 0, host.Network is null
            ? $"port {port} is not published and the container has no IP address on any network"
            : $"port {port} is not published and the container has no IP address on network '{host.Network}'");
    }

    /// <summary>The container's IP on each network that gives it one (IPv4, else global IPv6), ordered by network name.</summary>
    public static IReadOnlyList<(string Network, string Address)> NetworkAddresses(ContainerInspectResponse container) =>
        (container.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>())
            .Select(n => (Network: n.Key, Address: n.Value is null ? "" : FirstNonEmpty(n.Value.IPAddress, n.Value.GlobalIPv6Address)))
            .Where(n => n.Address.Length > 0)
            .OrderBy(n => n.Network, StringComparer.Ordinal)
            .ToList();

    // A binding on every interface is reached at the host address; one limited to an IP (127.0.0.1) only at that IP.
    private static ContainerEndpoint? Published(ContainerInspectResponse container, DockerHost host, int port)
    {
        if (container.NetworkSettings?.Ports is not { } ports || !ports.TryGetValue($"{port}/tcp", out var bindings) || bindings is null)
            return null;
        var usable = bindings
            .Select(b => (Ip: b?.HostIP ?? "", Port: PortSelection.TryParse(b?.HostPort, out var hostPort) ? hostPort : 0))
            .Where(b => b.Port > 0)
            .ToList();
        foreach (var binding in usable)
        {
            if (binding.Ip is "" or "0.0.0.0" or "::") return new ContainerEndpoint(host.HostAddress, binding.Port, null);
        }
        return usable.Count > 0 ? new ContainerEndpoint(usable[0].Ip, usable[0].Port, null) : null;
    }

    private static string FirstNonEmpty(string? a, string? b) => !string.IsNullOrEmpty(a) ? a : b ?? "";
}
