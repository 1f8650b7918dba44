using System.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>
/// Reverse names (<c>in-addr.arpa</c>, <c>ip6.arpa</c>) of registered instances answer PTR to their service names, as
/// Consul's DNS does; the reverse zones are not Mesh's, so every other reverse name is REFUSED (forwarded).
/// </summary>
public sealed class ReverseTests
{
    [Fact]
    public void An_instances_ipv4_address_points_to_its_service()
    {
        var answer = Zone(Registered("api:web-1", "web", "10.0.3.7")).Ask("7.3.0.10.in-addr.arpa", RecordType.Ptr);

        AssertPositive(answer);
        Assert.Equal("7.3.0.10.in-addr.arpa. 7 IN PTR web.service.mesh.", Assert.Single(answer.Answers).ToString());
    }

    [Fact]
    public void An_instances_ipv6_address_points_to_its_service()
    {
        var name = string.Join('.', "fd000000000000000000000000000001".Reverse()) + ".ip6.arpa";

        var answer = Zone(Registered("api:web-1", "web", "fd00::1")).Ask(name, RecordType.Ptr);

        Assert.Equal("web.service.mesh.", Assert.IsType<PtrRecord>(Assert.Single(answer.Answers)).PointerDomainName.ToString());
    }

    [Fact]
    public void An_address_shared_by_services_and_environments_points_to_each_once_in_order()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1", port: 80),
            Registered("api:web-2", "web", "10.0.0.1", port: 81),
            Registered("api:api-1", "API", "10.0.0.1", port: 82),
            Registered("api:web-x", "web", "10.0.0.1", port: 83, env: "feature-x"));

        var answer = zone.Ask("1.0.0.10.in-addr.arpa", RecordType.Ptr);

        Assert.Equal(["api.service.mesh.", "web.service.mesh.", "web.service.feature-x.mesh."],
            answer.Answers.Cast<PtrRecord>().Select(r => r.PointerDomainName.ToString()));
    }

    [Fact]
    public void A_failing_instance_still_owns_its_address()
    {
        var answer = Zone(Failing("api:web-1", "web", "10.0.0.9")).Ask("9.0.0.10.in-addr.arpa", RecordType.Ptr);

        Assert.Equal("web.service.mesh.", Assert.IsType<PtrRecord>(Assert.Single(answer.Answers)).PointerDomainName.ToString());
    }

    [Theory]
    [InlineData("2.0.0.10.in-addr.arpa")]   // no instance there
    [InlineData("0.0.10.in-addr.arpa")]     // a network, not an address
    [InlineData("01.0.0.10.in-addr.arpa")]  // not how an address is written
    [InlineData("256.0.0.10.in-addr.arpa")]
    [InlineData("in-addr.arpa")]
    public void Other_reverse_names_are_refused_so_an_upstream_can_answer_them(string name)
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        Assert.Equal(ReturnCode.Refused, zone.Ask(name, RecordType.Ptr).Code);
    }

    [Fact]
    public void A_deregistered_instances_address_is_refused()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), new InstanceDeregistered("api:web-1", "api"));

        Assert.Equal(ReturnCode.Refused, zone.Ask("1.0.0.10.in-addr.arpa", RecordType.Ptr).Code);
    }

    [Fact]
    public void Another_type_of_a_known_reverse_name_is_empty_without_an_soa_of_another_zone()
    {
        var answer = Zone(Registered("api:web-1", "web", "10.0.0.1")).Ask("1.0.0.10.in-addr.arpa", RecordType.A);

        Assert.Equal(ReturnCode.NoError, answer.Code);
        Assert.Empty(answer.Answers);
        Assert.Empty(answer.Authority);
    }

    [Theory]
    [InlineData("1.0.0.10.in-addr.arpa", "10.0.0.1")]
    [InlineData("255.255.255.255.in-addr.arpa", "255.255.255.255")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", "fd00::1")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.D.F.ip6.arpa", "fd00::1")]
    public void Reverse_names_spell_their_address(string name, string address)
    {
        var labels = name.Split('.').Select(l => l.ToLowerInvariant()).ToArray();

        Assert.Equal(IPAddress.Parse(address), ZoneNames.ReverseAddressOf(labels));
    }
}
