namespace Mesh.Dns.Zones;

/// <summary>What a queried name means inside Mesh's zones; <see cref="ZoneNames.Classify"/> makes one.</summary>
internal abstract record ZoneName
{
    /// <summary>Outside every zone: REFUSED.</summary>
    public sealed record Outside : ZoneName;

    /// <summary>In a zone but naming nothing: NXDOMAIN.</summary>
    public sealed record Missing : ZoneName;

    /// <summary>A zone's apex (<c>mesh</c>, or a test domain that is a zone of its own): SOA and NS.</summary>
    public sealed record Apex : ZoneName;

    /// <summary>A fixed name with nothing of its own (<c>service.mesh</c>, <c>feature-x.test.mesh</c>): NODATA.</summary>
    public sealed record Empty : ZoneName;

    /// <summary><c>ns.&lt;domain&gt;</c>: this server's addresses.</summary>
    public sealed record NameServer : ZoneName;

    /// <summary>
    /// <c>[tag.]svc.service[.env].&lt;domain&gt;</c> (<see cref="Srv"/> false) or
    /// <c>_svc._tcp|_tag.service[.env].&lt;domain&gt;</c> (true). <see cref="Env"/> null: the querier's view.
    /// </summary>
    public sealed record Service(string Name, string? Tag, string? Env, bool Srv) : ZoneName;

    /// <summary><c>&lt;node&gt;.node.&lt;domain&gt;</c>.</summary>
    public sealed record Node(string Name) : ZoneName;

    /// <summary><c>&lt;hex&gt;.addr.&lt;domain&gt;</c>: the address the hex spells (SRV targets).</summary>
    public sealed record Addr(System.Net.IPAddress Address) : ZoneName;

    /// <summary>
    /// <c>d.c.b.a.in-addr.arpa</c> or the 32 nibbles of an IPv6 address under <c>ip6.arpa</c>: PTR to the services of the
    /// instances registered at <see cref="Address"/>. Not Mesh's zone: an address no instance has is REFUSED (forwarded).
    /// </summary>
    public sealed record Reverse(System.Net.IPAddress Address) : ZoneName;

    /// <summary><c>&lt;svc&gt;.&lt;domain&gt;</c> of a known service, and every name under an environment of the test domain.</summary>
    public sealed record Gateway : ZoneName;
}
