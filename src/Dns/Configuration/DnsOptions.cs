using System.Net;
using Mesh.Projections.Environments;
using Mesh.Registry.Configuration;
using Mesh.Registry.Instances;

namespace Mesh.Dns.Configuration;

/// <summary><c>Mesh:Dns</c>: where the DNS server listens, the names it is authoritative for, and its views.</summary>
public sealed class DnsOptions : IValidatableOptions
{
    public const string Section = "Mesh:Dns";

    /// <summary><c>Mesh:Dns:Enabled</c>: false runs no DNS server.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>Mesh:Dns:Address</c>: the address of the main UDP and TCP listener.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary><c>Mesh:Dns:Port</c>: the main listener's port (UDP and TCP); 0 picks a free one.</summary>
    public int Port { get; set; } = 8600;

    /// <summary><c>Mesh:Dns:Domain</c>: the zone of service, node and gateway names (<c>web.service.mesh</c>).</summary>
    public string Domain { get; set; } = Projections.Routes.RouteTableOptions.DefaultDomain;

    /// <summary><c>Mesh:Dns:TestDomain</c>: under it, every name below an environment resolves to the gateway.</summary>
    public string TestDomain { get; set; } = Projections.Routes.RouteTableOptions.DefaultTestDomain;

    /// <summary><c>Mesh:Dns:Ttl</c>: seconds, for every answer and (as the SOA minimum) for negative answers.</summary>
    public int Ttl { get; set; } = 5;

    /// <summary>
    /// <c>Mesh:Dns:GatewayAddresses:&lt;n&gt;</c>: what gateway host names (<c>web.mesh</c>) and test wildcards
    /// answer; default: the address the gateway listens on (the machine's addresses when it listens on all).
    /// </summary>
    public List<string> GatewayAddresses { get; set; } = [];

    /// <summary>
    /// <c>Mesh:Dns:Views:&lt;environment&gt;</c>: queries arriving on a view's own listener (<c>Port</c>, <c>Address</c>)
    /// or from one of its <c>Subnets</c> are answered with that environment's instances, falling back along its chain.
    /// Every other query is answered for integration.
    /// </summary>
    public Dictionary<string, DnsViewOptions> Views { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Mesh:Dns:RateLimit</c>: responses per second per client address, for abuse safety.</summary>
    public DnsRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// <c>Mesh:Dns:Upstreams:&lt;n&gt;</c>: resolvers (<c>10.0.0.2</c>, <c>10.0.0.2:5353</c>, <c>[fd00::2]:53</c>) that
    /// names outside Mesh's zones are forwarded to, in order. None (the default): such names are REFUSED.
    /// </summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary><c>Mesh:Dns:UpstreamTimeout</c>: how long each upstream gets to answer.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Mesh:Dns:MaxUdpSize</c>: the largest UDP response to an EDNS client (1232: no IP fragmentation).</summary>
    public int MaxUdpSize { get; set; } = 1232;

    /// <summary><c>Mesh:Dns:UdpWorkers</c>: threads receiving on each UDP socket; default one per core.</summary>
    public int UdpWorkers { get; set; } = Math.Min(Environment.ProcessorCount, 64);

    /// <summary><c>Mesh:Gateway:Url</c> (copied in by AddMeshDns): where the default gateway address comes from.</summary>
    public string? GatewayUrl { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(Address, out _)) errors.Add($"{Section}:Address '{Address}' must be an IP address");
        if (Port is < 0 or > 65535) errors.Add($"{Section}:Port must be a port (0 to 65535)");
        CheckDomain(errors, "Domain", Domain);
        CheckDomain(errors, "TestDomain", TestDomain);
        if (string.Equals(Domain.TrimEnd('.'), TestDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            errors.Add($"{Section}:TestDomain must differ from {Section}:Domain ('{Domain}')");
        else if (Domain.TrimEnd('.').EndsWith("." + TestDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            errors.Add($"{Section}:TestDomain '{TestDomain}' must not be a parent of {Section}:Domain '{Domain}': every name under the domain would be read as a test wildcard");
        if (Ttl is < 0 or > 86400) errors.Add($"{Section}:Ttl must be from 0 to 86400 seconds");
        for (var i = 0; i < GatewayAddresses.Count; i++)
            if (!IPAddress.TryParse(GatewayAddresses[i], out _))
                errors.Add($"{Section}:GatewayAddresses:{i} '{GatewayAddresses[i]}' must be an IP address");
        foreach (var (env, view) in Views)
        {
            // Configuration keys are case-insensitive (MESH__DNS__VIEWS__FEATURE-X__PORT), so the name is too.
            var key = $"{Section}:Views:{env}";
            var name = env.ToLowerInvariant();
            if (DnsLabel.Explain($"{key}: the environment name", name) is { } problem) errors.Add(problem);
            else if (EnvironmentNames.IsReserved(name, TestDomain.Split('.')[0])) errors.Add($"{key}: '{name}' is a reserved name, not an environment");
            if (view.Address is { } address && !IPAddress.TryParse(address, out _)) errors.Add($"{key}:Address '{address}' must be an IP address");
            if (view.Port is < 0 or > 65535) errors.Add($"{key}:Port must be a port (0 to 65535)");
            if (view.Address is not null && view.Port is null) errors.Add($"{key}:Address needs {key}:Port: a view's listener needs a port of its own");
            if (view.Port is null && view.Subnets.Count == 0) errors.Add($"{key} needs a Port or Subnets: otherwise no query could choose it");
            for (var i = 0; i < view.Subnets.Count; i++)
                if (!IPNetwork.TryParse(view.Subnets[i], out _)) errors.Add($"{key}:Subnets:{i} '{view.Subnets[i]}' must be a subnet such as 10.1.0.0/16");
        }
        if (RateLimit.ResponsesPerSecond < 0) errors.Add($"{Section}:RateLimit:ResponsesPerSecond must not be negative (0 turns rate limiting off)");
        if (RateLimit.Slip < 0) errors.Add($"{Section}:RateLimit:Slip must not be negative (0 drops every limited response)");
        for (var i = 0; i < RateLimit.Exempt.Count; i++)
            if (!IPNetwork.TryParse(RateLimit.Exempt[i], out _)) errors.Add($"{Section}:RateLimit:Exempt:{i} '{RateLimit.Exempt[i]}' must be a subnet such as 127.0.0.0/8");
        for (var i = 0; i < Upstreams.Count; i++)
            if (UpstreamEndPoint(Upstreams[i]) is null) errors.Add($"{Section}:Upstreams:{i} '{Upstreams[i]}' must be an IP address, with a port or not (10.0.0.2, 10.0.0.2:5353, [fd00::2]:53)");
        if (UpstreamTimeout <= TimeSpan.Zero) errors.Add($"{Section}:UpstreamTimeout must be positive");
        if (MaxUdpSize is < 512 or > 65535) errors.Add($"{Section}:MaxUdpSize must be from 512 to 65535");
        if (UdpWorkers is < 1 or > 64) errors.Add($"{Section}:UdpWorkers must be from 1 to 64");
        return errors;
    }

    /// <summary>The upstreams as end points (port 53 where none is given).</summary>
    public IReadOnlyList<IPEndPoint> UpstreamEndPoints() => [.. Upstreams.Select(UpstreamEndPoint).OfType<IPEndPoint>()];

    private static IPEndPoint? UpstreamEndPoint(string value)
    {
        // IPAddress.TryParse would take "[fd00::3]:5353" and drop the port; IPEndPoint reads every form, but says
        // port 0 both for none given and for ":0" (not a port a resolver listens on).
        if (!IPEndPoint.TryParse(value, out var endPoint)) return null;
        var portGiven = value.Contains(']', StringComparison.Ordinal) ? value.Contains("]:", StringComparison.Ordinal) : value.Count(c => c == ':') == 1;
        if (!portGiven) return new IPEndPoint(endPoint.Address, 53);
        return endPoint.Port > 0 ? endPoint : null;
    }

    private static void CheckDomain(List<string> errors, string key, string domain)
    {
        var labels = domain.TrimEnd('.').Split('.');
        if (domain.Length == 0 || labels.Any(l => DnsLabel.Explain("label", l) is not null))
            errors.Add($"{Section}:{key} '{domain}' must be a domain name of lowercase DNS labels, such as 'mesh' or 'test.mesh'");
    }
}

/// <summary>One view: its own listener, client subnets, or both.</summary>
public sealed class DnsViewOptions
{
    /// <summary>The view's own listener address (default: <c>Mesh:Dns:Address</c>).</summary>
    public string? Address { get; set; }

    public int? Port { get; set; }

    public List<string> Subnets { get; set; } = [];
}

/// <summary><c>Mesh:Dns:RateLimit</c>: a token bucket per client address (IPv4, or the IPv6 /64).</summary>
public sealed class DnsRateLimitOptions
{
    /// <summary>Responses per second a client may get, with a one-second burst; 0 turns rate limiting off.</summary>
    public int ResponsesPerSecond { get; set; } = 1000;

    /// <summary>Every Slip-th limited response is sent empty with the TC bit, so a real client retries over TCP; 0 drops them all.</summary>
    public int Slip { get; set; } = 2;

    /// <summary>Subnets never limited.</summary>
    public List<string> Exempt { get; set; } = [];
}
