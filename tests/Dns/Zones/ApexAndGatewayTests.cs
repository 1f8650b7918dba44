using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>The zone apex (SOA, NS), <c>ns.mesh</c>, gateway host names (<c>web.mesh</c>), and names outside every zone.</summary>
public sealed class ApexAndGatewayTests
{
    [Fact]
    public void The_apex_soa_has_the_position_as_serial_and_the_ttl_as_ttl_and_minimum()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), Registered("api:web-2", "web", "10.0.0.2"), new InstanceDeregistered("api:web-2", "api"));

        var answer = zone.Ask("mesh", RecordType.Soa);

        AssertPositive(answer);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(answer.Answers));
        Assert.Equal(DomainName.Parse("mesh"), soa.Name);
        Assert.Equal(3u, soa.SerialNumber);
        Assert.Equal(Ttl, soa.TimeToLive);
        Assert.Equal(Ttl, soa.NegativeCachingTTL);
        Assert.Equal(DomainName.Parse("ns.mesh"), soa.MasterName);
        Assert.Empty(answer.Additional);
    }

    [Fact]
    public void The_soa_serial_follows_the_registry_position()
    {
        Assert.Equal(0u, Zone().Ask("mesh", RecordType.Soa).Answers.Cast<SoaRecord>().Single().SerialNumber);
        Assert.Equal(1u, Zone(Registered("api:web-1", "web", "10.0.0.1")).Ask("mesh", RecordType.Soa).Answers.Cast<SoaRecord>().Single().SerialNumber);
    }

    [Fact]
    public void The_apex_ns_names_this_server_with_its_addresses_as_glue()
    {
        var answer = Zone().Ask("mesh", RecordType.Ns);

        AssertPositive(answer);
        var ns = Assert.IsType<NsRecord>(Assert.Single(answer.Answers));
        Assert.Equal(DomainName.Parse("ns.mesh"), ns.NameServer);
        Assert.Equal(Ttl, ns.TimeToLive);
        Assert.Equal("ns.mesh. 7 IN A 192.0.2.53", Assert.Single(answer.Additional).ToString());
    }

    [Fact]
    public void ANY_at_the_apex_answers_soa_and_ns()
    {
        var answer = Zone().Ask("mesh", RecordType.Any);

        Assert.Equal([RecordType.Soa, RecordType.Ns], answer.Answers.Select(r => r.RecordType));
        Assert.Single(answer.Additional);
    }

    [Fact]
    public void The_apex_has_no_address()
    {
        AssertNoData(Zone().Ask("mesh", RecordType.A));
    }

    [Fact]
    public void The_name_server_name_answers_the_name_server_addresses()
    {
        var zone = Zone();

        Assert.Equal(["192.0.2.53"], zone.Ask("ns.mesh").Addresses());
        AssertNoData(zone.Ask("ns.mesh", RecordType.Aaaa));
    }

    [Fact]
    public void A_known_service_s_gateway_host_name_answers_the_gateway_addresses()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        var a = zone.Ask("web.mesh");

        AssertPositive(a);
        Assert.Equal(["192.0.2.80"], a.Addresses());
        Assert.False(a.Shuffled);
        Assert.Equal(["2001:db8::80"], zone.Ask("web.mesh", RecordType.Aaaa).Addresses());
        Assert.Equal(["192.0.2.80", "2001:db8::80"], zone.Ask("Web.Mesh", RecordType.Any).Addresses());
    }

    [Fact]
    public void A_gateway_host_name_does_not_depend_on_the_service_passing()
    {
        var zone = Zone(Failing("api:web-1", "web", "10.0.0.1"));

        Assert.Equal(["192.0.2.80"], zone.Ask("web.mesh").Addresses());
    }

    [Fact]
    public void A_gateway_host_name_outlives_its_last_instance_like_the_gateway_route_does()
    {
        // The gateway keeps <svc>.<domain> routed for every service the registry has known (a recreate answers 503,
        // not 404), so the name keeps pointing at it.
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), new InstanceDeregistered("api:web-1", "api"));

        Assert.Equal(["192.0.2.80"], zone.Ask("web.mesh").Addresses());
    }

    [Fact]
    public void An_unknown_single_label_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        AssertNxDomain(zone.Ask("nope.mesh"));
        AssertNxDomain(zone.Ask("x.web.mesh"));
    }

    [Fact]
    public void Without_gateway_addresses_a_gateway_host_name_is_nodata()
    {
        var settings = ZoneSettings.Of("mesh", "test.mesh", Ttl, [], [NameServer]);

        AssertNoData(Zone(settings, Registered("api:web-1", "web", "10.0.0.1")).Ask("web.mesh"));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("mesh.example.com")]
    [InlineData("web.service.mesh.example.com")]
    [InlineData("meshx")]
    [InlineData("com")]
    public void A_name_outside_the_zones_is_refused_and_not_authoritative(string name)
    {
        var answer = Zone(Registered("api:web-1", "web", "10.0.0.1")).Ask(name);

        Assert.Equal(ReturnCode.Refused, answer.Code);
        Assert.False(answer.Authoritative);
        Assert.Empty(answer.Answers);
        Assert.Empty(answer.Authority);
        Assert.Empty(answer.Additional);
    }

    [Fact]
    public void The_root_is_outside_the_zones()
    {
        Assert.Equal(ReturnCode.Refused, Zone().Answer(DomainName.Root, RecordType.Ns, "integration").Code);
    }

    [Fact]
    public void Every_negative_answer_carries_the_zone_soa_with_the_ttl_as_minimum()
    {
        var zone = Zone([Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]), .. Failing("api:db-1", "db", "10.0.0.9")]);
        string[] nxdomain = ["nope.service.mesh", "v9.web.service.mesh", "nope.node.mesh", "nope.mesh", "x.nope.test.mesh", "1.addr.mesh", "a.b.c.service.mesh"];
        string[] nodata = ["db.service.mesh", "service.mesh", "test.mesh", "integration.test.mesh", "integration.mesh", "service.integration.mesh"];

        foreach (var name in nxdomain)
        {
            var soa = AssertNegative(zone.Ask(name), ReturnCode.NxDomain);
            Assert.Equal(3u, soa.SerialNumber);
        }
        foreach (var name in nodata) AssertNoData(zone.Ask(name));
        AssertNoData(zone.Ask("web.service.mesh", RecordType.Txt));
    }

    [Fact]
    public void A_test_domain_outside_the_domain_is_a_zone_of_its_own()
    {
        var settings = ZoneSettings.Of("mesh", "test.example", Ttl, [GatewayV4], [NameServer]);
        var zone = Zone(settings, Registered("api:web-1", "web", "10.0.0.1", env: "feature-x"));

        var soa = Assert.IsType<SoaRecord>(Assert.Single(zone.Ask("test.example", RecordType.Soa).Answers));
        var ns = zone.Ask("Test.Example", RecordType.Ns);

        Assert.Equal(DomainName.Parse("test.example"), soa.Name);
        Assert.Equal(DomainName.Parse("test.example"), Assert.IsType<NsRecord>(Assert.Single(ns.Answers)).Name);
        Assert.Equal("ns.mesh. 7 IN A 192.0.2.53", Assert.Single(ns.Additional).ToString());
        Assert.Equal(["192.0.2.80"], zone.Ask("anything.feature-x.test.example").Addresses());
        AssertNxDomain(zone.Ask("x.nope.test.example"), zone: "test.example");
        AssertNoData(zone.Ask("feature-x.test.example"), zone: "test.example");
        AssertNoData(zone.Ask("test.example", RecordType.A), zone: "test.example");
        Assert.Equal(["10.0.0.1"], zone.Ask("web.service.feature-x.mesh").Addresses());
        AssertNxDomain(zone.Ask("test.mesh"));
        Assert.Equal(ReturnCode.Refused, zone.Ask("example").Code);
        Assert.Equal(ReturnCode.Refused, zone.Ask("other.example").Code);
    }

    [Fact]
    public void A_test_domain_under_the_domain_is_no_zone_of_its_own()
    {
        var answer = Zone().Ask("test.mesh", RecordType.Soa);

        AssertNoData(answer);
    }

    [Fact]
    public void A_zone_answers_under_a_configured_domain_of_several_labels()
    {
        var settings = ZoneSettings.Of("Consul.Example", "test.consul.example", 30, [GatewayV4], [IPAddress.Loopback]);
        var zone = Zone(settings, Registered("api:web-1", "web", "10.0.0.1"));

        var answer = zone.Ask("web.service.consul.example");

        Assert.Equal("web.service.consul.example. 30 IN A 10.0.0.1", Assert.Single(answer.Answers).ToString());
        Assert.Equal(["192.0.2.80"], zone.Ask("web.consul.example").Addresses());
        Assert.Equal(30, Assert.IsType<SoaRecord>(Assert.Single(zone.Ask("nope.consul.example").Authority)).NegativeCachingTTL);
        Assert.Equal(ReturnCode.Refused, zone.Ask("web.service.mesh").Code);
    }
}
