using ARSoft.Tools.Net.Dns;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary><c>&lt;hex&gt;.addr.mesh</c> (the address it spells) and <c>&lt;node&gt;.node.mesh</c> (its instances' addresses).</summary>
public sealed class AddrAndNodeTests
{
    [Fact]
    public void Eight_hex_digits_under_addr_answer_the_ipv4_address_they_spell()
    {
        var answer = Zone().Ask("0a00fe01.addr.mesh");

        AssertPositive(answer);
        Assert.Equal("0a00fe01.addr.mesh. 7 IN A 10.0.254.1", Assert.Single(answer.Answers).ToString());
    }

    [Fact]
    public void Thirty_two_hex_digits_under_addr_answer_the_ipv6_address_they_spell()
    {
        var answer = Zone().Ask("fd000000000000000000000000000001.addr.mesh", RecordType.Aaaa);

        Assert.Equal(["fd00::1"], answer.Addresses());
    }

    [Fact]
    public void An_addr_name_is_case_insensitive()
    {
        Assert.Equal(["10.0.254.1"], Zone().Ask("0A00FE01.ADDR.mesh").Addresses());
    }

    [Fact]
    public void An_addr_name_of_the_other_family_is_nodata()
    {
        AssertNoData(Zone().Ask("0a00fe01.addr.mesh", RecordType.Aaaa));
        AssertNoData(Zone().Ask("fd000000000000000000000000000001.addr.mesh", RecordType.A));
    }

    [Theory]
    [InlineData("0a00fe0.addr.mesh")]
    [InlineData("0a00fe011.addr.mesh")]
    [InlineData("0a00fg01.addr.mesh")]
    [InlineData("x.0a00fe01.addr.mesh")]
    [InlineData("fd00000000000000000000000000001.addr.mesh")]
    public void An_addr_name_that_spells_no_address_is_nxdomain(string name)
    {
        AssertNxDomain(Zone().Ask(name));
    }

    [Fact]
    public void A_node_name_answers_the_addresses_of_its_instances_passing_or_not()
    {
        var zone = Zone([
            Registered("api:web-1", "web", "10.0.0.1", node: "db-1"),
            Registered("api:cache-1", "cache", "10.0.0.1", node: "db-1"),
            .. Failing("api:db-1", "db", "10.0.0.2", node: "db-1"),
            Registered("api:web-2", "web", "10.0.0.3", node: "db-2"),
        ]);

        var answer = zone.Ask("db-1.node.mesh");

        AssertPositive(answer);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], answer.Addresses());
        Assert.False(answer.Shuffled);
    }

    [Fact]
    public void A_node_name_answers_ipv6_addresses_for_AAAA()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", node: "db-1"), Registered("api:web-2", "web", "fd00::1", node: "db-1"));

        Assert.Equal(["fd00::1"], zone.Ask("db-1.node.mesh", RecordType.Aaaa).Addresses());
    }

    [Fact]
    public void A_node_name_is_case_insensitive_both_ways()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", node: "DB-1"));

        Assert.Equal(["10.0.0.1"], zone.Ask("db-1.node.mesh").Addresses());
        Assert.Equal(["10.0.0.1"], zone.Ask("Db-1.Node.MESH").Addresses());
    }

    [Fact]
    public void A_dotted_node_name_is_answered_under_node()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", node: "ip-10-0-0-1.ec2.internal"));

        Assert.Equal(["10.0.0.1"], zone.Ask("ip-10-0-0-1.ec2.internal.node.mesh").Addresses());
    }

    [Fact]
    public void An_unknown_node_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", node: "db-1"));

        AssertNxDomain(zone.Ask("db-9.node.mesh"));
    }

    [Fact]
    public void A_node_whose_instances_are_all_deregistered_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", node: "db-1"), new InstanceDeregistered("api:web-1", "api"));

        AssertNxDomain(zone.Ask("db-1.node.mesh"));
    }

    [Fact]
    public void A_node_of_host_name_instances_only_is_nodata()
    {
        var zone = Zone(Registered("api:web-1", "web", "web-1.example.internal", node: "db-1"));

        AssertNoData(zone.Ask("db-1.node.mesh"));
    }

    [Theory]
    [InlineData("addr.mesh")]
    [InlineData("node.mesh")]
    [InlineData("service.mesh")]
    public void A_fixed_label_by_itself_is_nodata(string name)
    {
        AssertNoData(Zone(Registered("api:web-1", "web", "10.0.0.1")).Ask(name));
    }
}
