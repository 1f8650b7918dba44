using DnsClient;
using DnsClient.Protocol;
using Mesh.Dns.Tests.Common;
using Mesh.Registry.Events;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// The zone feed builds a new view (and starts an empty answer cache) only for events that change what the zones
/// answer from; the others move the position the DNS reports without touching the answers.
/// </summary>
public sealed class ZoneFeedTests
{
    [Fact]
    public async Task An_event_that_changes_no_instance_moves_the_position_and_keeps_the_zone_and_its_cached_answers()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A)));
        var before = dns.Zones.Current;
        Assert.Equal(1, before.CachedResponses);

        await dns.ApplyAsync(new NginxConfigApplied("edge", "abc", 1, "/etc/nginx/mesh.conf"));

        var after = dns.Zones.Current;
        Assert.Equal(2, after.Position);
        Assert.Same(before.Zone, after.Zone);
        Assert.Equal(1, after.CachedResponses); // the A answer cached before the event
        // The SOA serial is the zone's version: the position of the last change it answers from, not of the audit record.
        var soa = Assert.IsType<SoaRecord>(Assert.Single((await dns.QueryAsync("mesh", QueryType.SOA)).Answers));
        Assert.Equal(1u, soa.Serial);
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A)));
    }

    [Fact]
    public async Task A_registration_after_such_events_gets_a_new_zone_that_answers_it()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        await dns.ApplyAsync(new SourceReconciled("docker", "node-1", "periodic", 1, 0, 0, 0));
        var kept = dns.Zones.Current;

        await dns.RegisterAsync("api:web-2", "web", "10.0.0.2");

        Assert.NotSame(kept.Zone, dns.Zones.Current.Zone);
        Assert.Equal(0, dns.Zones.Current.CachedResponses);
        Assert.Equal(3, dns.Zones.Current.Position);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A)));
        var soa = Assert.IsType<SoaRecord>(Assert.Single((await dns.QueryAsync("mesh", QueryType.SOA)).Answers));
        Assert.Equal(3u, soa.Serial);
    }
}
