using System.Collections.Immutable;
using System.Net;
using ARSoft.Tools.Net;

namespace Mesh.Dns.Zones;

/// <summary>
/// What a <see cref="ZoneView"/> needs besides the registry: the zones' names, the TTL of every answer, and the
/// addresses of the gateway (gateway host names, test wildcards) and of this name server (<c>ns.&lt;domain&gt;</c>).
/// </summary>
public sealed record ZoneSettings(
    DomainName Domain,
    DomainName TestDomain,
    int Ttl,
    ImmutableArray<IPAddress> GatewayAddresses,
    ImmutableArray<IPAddress> NameServerAddresses)
{
    public static ZoneSettings Of(string domain, string testDomain, int ttl, IEnumerable<IPAddress> gateway, IEnumerable<IPAddress> nameServer) =>
        new(DomainName.Parse(domain.ToLowerInvariant()), DomainName.Parse(testDomain.ToLowerInvariant()), ttl, [.. gateway], [.. nameServer]);

    /// <summary>The test domain is a zone of its own when it is not under the domain (<c>test.example.com</c>).</summary>
    public bool TestDomainIsZone => !TestDomain.IsEqualOrSubDomainOf(Domain);
}
