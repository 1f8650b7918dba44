using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>SRV: <c>_svc._tcp.service.mesh</c>, <c>_svc._tag.service.mesh</c>, and SRV asked of <c>svc.service.mesh</c>.</summary>
public sealed class SrvTests
{
    private static readonly ZoneView Web = Zone(
        Registered("api:web-1", "web", "10.0.0.1", port: 8080, tags: ["v1"]),
        Registered("api:web-2", "web", "10.0.0.2", port: 8081, tags: ["v2"]),
        Registered("api:web-3", "web", "fd00::3", port: 8082, tags: ["v2"]));

    [Theory]
    [InlineData("_web._tcp.service.mesh")]
    [InlineData("web.service.mesh")]
    [InlineData("_WEB._TCP.Service.Mesh")]
    public void SRV_answers_every_passing_instance_with_an_addr_target_and_its_port(string name)
    {
        var answer = Web.Ask(name, RecordType.Srv);

        AssertPositive(answer);
        var srv = answer.Answers.Cast<SrvRecord>().ToList();
        Assert.Equal(
            ["0a000001.addr.mesh:8080", "0a000002.addr.mesh:8081", "fd000000000000000000000000000003.addr.mesh:8082"],
            srv.Select(r => $"{string.Join('.', r.Target.Labels)}:{r.Port}"));
        Assert.All(srv, r => Assert.Equal(DomainName.Parse(name), r.Name));
        Assert.All(srv, r => Assert.Equal(Ttl, r.TimeToLive));
    }

    [Fact]
    public void SRV_targets_have_their_addresses_in_the_additional_section()
    {
        var answer = Web.Ask("_web._tcp.service.mesh", RecordType.Srv);

        Assert.Equal(
            ["0a000001.addr.mesh. 7 IN A 10.0.0.1", "0a000002.addr.mesh. 7 IN A 10.0.0.2", "fd000000000000000000000000000003.addr.mesh. 7 IN AAAA fd00::3"],
            answer.Additional.Select(r => r.ToString()));
    }

    [Fact]
    public void SRV_targets_resolve_to_the_same_addresses()
    {
        var answer = Web.Ask("_web._tcp.service.mesh", RecordType.Srv);

        foreach (var srv in answer.Answers.Cast<SrvRecord>())
        {
            var type = srv.Target.Labels[0].Length == 8 ? RecordType.A : RecordType.Aaaa;
            var resolved = Web.Answer(srv.Target, type, "integration");
            var additional = answer.Additional.Single(r => r.Name.Equals(srv.Target));
            Assert.Equal(additional.ToString(), Assert.Single(resolved.Answers).ToString());
        }
    }

    [Fact]
    public void Instances_sharing_an_address_give_one_srv_record_each_and_one_additional_address()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1", port: 8080),
            Registered("api:web-2", "web", "10.0.0.1", port: 8081));

        var answer = zone.Ask("_web._tcp.service.mesh", RecordType.Srv);

        Assert.Equal([8080, 8081], answer.Answers.Cast<SrvRecord>().Select(r => (int)r.Port));
        Assert.Equal("0a000001.addr.mesh. 7 IN A 10.0.0.1", Assert.Single(answer.Additional).ToString());
    }

    [Fact]
    public void A_tag_srv_name_answers_the_instances_carrying_the_tag()
    {
        var answer = Web.Ask("_web._v2.service.mesh", RecordType.Srv);

        Assert.Equal([8081, 8082], answer.Answers.Cast<SrvRecord>().Select(r => (int)r.Port));
        AssertNxDomain(Web.Ask("_web._v9.service.mesh", RecordType.Srv));
    }

    [Fact]
    public void SRV_of_a_tag_name_answers_the_instances_carrying_the_tag()
    {
        var answer = Web.Ask("v1.web.service.mesh", RecordType.Srv);

        Assert.Equal([8080], answer.Answers.Cast<SrvRecord>().Select(r => (int)r.Port));
    }

    [Fact]
    public void Failing_instances_are_left_out_of_srv_answers()
    {
        var zone = Zone([Registered("api:web-1", "web", "10.0.0.1"), .. Failing("api:web-2", "web", "10.0.0.2")]);

        var answer = zone.Ask("_web._tcp.service.mesh", RecordType.Srv);

        Assert.Equal("0a000001.addr.mesh", string.Join('.', Assert.IsType<SrvRecord>(Assert.Single(answer.Answers)).Target.Labels));
        Assert.Single(answer.Additional);
    }

    [Fact]
    public void SRV_of_a_service_whose_instances_all_fail_is_nodata()
    {
        var zone = Zone(Failing("api:web-1", "web", "10.0.0.1"));

        AssertNoData(zone.Ask("_web._tcp.service.mesh", RecordType.Srv));
        AssertNoData(zone.Ask("web.service.mesh", RecordType.Srv));
    }

    [Fact]
    public void SRV_of_an_unknown_service_is_nxdomain()
    {
        AssertNxDomain(Web.Ask("_nope._tcp.service.mesh", RecordType.Srv));
    }

    [Fact]
    public void A_host_name_instance_is_an_srv_target_by_its_host_name_but_not_an_address()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1", port: 8080),
            Registered("api:web-2", "web", "web-2.example.internal", port: 9090));

        var srv = zone.Ask("_web._tcp.service.mesh", RecordType.Srv);
        var a = zone.Ask("web.service.mesh", RecordType.A);

        Assert.Equal(
            ["0a000001.addr.mesh:8080", "web-2.example.internal:9090"],
            srv.Answers.Cast<SrvRecord>().Select(r => $"{string.Join('.', r.Target.Labels)}:{r.Port}"));
        Assert.Equal("0a000001.addr.mesh. 7 IN A 10.0.0.1", Assert.Single(srv.Additional).ToString());
        Assert.Equal(["10.0.0.1"], a.Addresses());
    }

    [Theory]
    [InlineData(RecordType.A)]
    [InlineData(RecordType.Aaaa)]
    [InlineData(RecordType.Txt)]
    public void An_srv_name_has_no_address_records(RecordType type)
    {
        AssertNoData(Web.Ask("_web._tcp.service.mesh", type));
    }

    [Fact]
    public void ANY_of_an_srv_name_answers_srv()
    {
        var answer = Web.Ask("_web._tcp.service.mesh", RecordType.Any);

        Assert.Equal(3, answer.Answers.OfType<SrvRecord>().Count());
    }

    [Fact]
    public void SRV_answers_are_not_marked_for_shuffling()
    {
        Assert.False(Web.Ask("_web._tcp.service.mesh", RecordType.Srv).Shuffled);
    }
}
