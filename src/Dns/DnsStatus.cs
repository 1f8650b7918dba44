using Mesh.Dns.Serving;

namespace Mesh.Dns;

/// <summary>What <c>/v1/mesh/status</c> shows of the DNS server: where it listens, its views, and the position its answers are at.</summary>
public sealed class DnsStatus
{
    private readonly DnsZoneFeed _zones;
    private readonly DnsEndpoints _endpoints;
    private readonly DnsViews _views;

    internal DnsStatus(DnsZoneFeed zones, DnsEndpoints endpoints, DnsViews views)
    {
        _zones = zones;
        _endpoints = endpoints;
        _views = views;
    }

    public DnsStatusView Current
    {
        get
        {
            var snapshot = _zones.Current;
            var zone = snapshot.Zone;
            return new DnsStatusView(
                [.. _endpoints.Listeners.Select(l => l.View is null ? l.EndPoint.ToString() : $"{l.EndPoint} ({l.View})")],
                snapshot.Position,
                zone.Settings.Domain.ToString(false),
                zone.Settings.TestDomain.ToString(false),
                [.. _views.Names],
                [.. zone.Environments.Environments.Keys],
                [.. zone.Settings.GatewayAddresses.Select(a => a.ToString())]);
        }
    }
}

/// <summary>The DNS server's status.</summary>
public sealed record DnsStatusView(
    IReadOnlyList<string> Listening,
    long Position,
    string Domain,
    string TestDomain,
    IReadOnlyList<string> Views,
    IReadOnlyList<string> Environments,
    IReadOnlyList<string> GatewayAddresses);
