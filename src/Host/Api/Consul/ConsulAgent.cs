using System.Security.Cryptography;
using System.Text;
using Mesh.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Host.Api.Consul;

/// <summary>
/// Who Mesh says it is to Consul clients: one agent (and server, and leader) with a node name, a datacenter and
/// a node address. Registrations without an Address get <see cref="Address"/>, as a Consul agent gives its own.
/// </summary>
internal sealed class ConsulAgent(IOptions<ApiOptions> options)
{
    public const string Namespace = "default";

    public string NodeName { get; } = options.Value.NodeName;

    public string Datacenter { get; } = options.Value.Datacenter;

    public string Address { get; } = "127.0.0.1";

    /// <summary>A node id as Consul has one (a UUID), stable for a node name.</summary>
    public static string NodeId(string nodeName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(nodeName));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
