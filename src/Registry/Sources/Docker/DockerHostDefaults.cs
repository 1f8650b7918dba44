using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mesh.Registry.Sources.Docker;

/// <summary>The <see cref="DockerHost"/> the options describe, with the defaults filled in.</summary>
internal static class DockerHostDefaults
{
    public static DockerHost Resolve(DockerSourceOptions options) => new(
        string.IsNullOrWhiteSpace(options.Node) ? Dns.GetHostName() : options.Node,
        string.IsNullOrWhiteSpace(options.HostAddress) ? FirstNonLoopbackAddress() : options.HostAddress,
        string.IsNullOrWhiteSpace(options.Network) ? null : options.Network);

    /// <summary>The first IPv4 address of an interface that is up and not loopback; loopback when there is none.</summary>
    public static string FirstNonLoopbackAddress()
    {
        var addresses =
            from nic in NetworkInterface.GetAllNetworkInterfaces()
            where nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback
            from unicast in nic.GetIPProperties().UnicastAddresses
            where unicast.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(unicast.Address)
            select unicast.Address.ToString();
        return addresses.FirstOrDefault() ?? IPAddress.Loopback.ToString();
    }
}
