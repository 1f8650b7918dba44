using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mesh.Dns.Configuration;

/// <summary>
/// The addresses answered for the gateway and for <c>ns.&lt;domain&gt;</c> when none are configured: the address
/// a listener is bound to, or, when it is bound to all addresses, the machine's own (loopback when it has no other).
/// </summary>
internal static class DefaultAddresses
{
    public static IReadOnlyList<IPAddress> Gateway(DnsOptions options)
    {
        if (options.GatewayAddresses.Count > 0) return [.. options.GatewayAddresses.Select(IPAddress.Parse)];
        if (string.IsNullOrWhiteSpace(options.GatewayUrl) || !Uri.TryCreate(options.GatewayUrl, UriKind.Absolute, out var url)) return [];
        return url.Host switch
        {
            "localhost" => [IPAddress.Loopback],
            "*" or "+" or "0.0.0.0" or "[::]" => Machine(),
            _ when IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) => Listening(address),
            _ => [],
        };
    }

    public static IReadOnlyList<IPAddress> NameServer(DnsOptions options) => Listening(IPAddress.Parse(options.Address));

    private static IReadOnlyList<IPAddress> Listening(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Machine() : [address];

    private static IReadOnlyList<IPAddress> Machine()
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
            .Distinct()
            .ToList();
        return addresses.Count > 0 ? addresses : [IPAddress.Loopback];
    }
}
