using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary><c>&lt;svc&gt;.service.mesh</c> and <c>&lt;tag&gt;.&lt;svc&gt;.service.mesh</c>, A and AAAA.</summary>
public sealed class ServiceNameTests
{
    [Fact]
    public void A_service_answers_the_addresses_of_its_passing_instances_only()
    {
        var zone = Zone([
            Registered("api:web-1", "web", "10.0.0.1"),
            Registered("api:web-2", "web", "10.0.0.2", checks: ["web-2-http"]),
            .. Failing("api:web-3", "web", "10.0.0.3"),
        ]);

        var answer = zone.Ask("web.service.mesh");

        AssertPositive(answer);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], answer.Addresses());
        Assert.All(answer.Answers, r => Assert.Equal(DomainName.Parse("web.service.mesh"), r.Name));
        Assert.All(answer.Answers, r => Assert.Equal(Ttl, r.TimeToLive));
    }

    [Fact]
    public void An_instance_whose_check_recovers_is_answered_again()
    {
        var zone = Zone([
            .. Failing("api:web-1", "web", "10.0.0.1"),
            new InstanceHealthChanged("api:web-1", "api:web-1-http", HealthStatus.Passing, "200 OK"),
        ]);

        Assert.Equal(["10.0.0.1"], zone.Ask("web.service.mesh").Addresses());
    }

    [Fact]
    public void An_instance_in_maintenance_is_not_answered()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1"),
            Registered("api:web-2", "web", "10.0.0.2"),
            new InstanceMaintenanceChanged("api:web-2", true, "deploy"));

        Assert.Equal(["10.0.0.1"], zone.Ask("web.service.mesh").Addresses());
    }

    [Fact]
    public void Instances_sharing_an_address_give_one_record()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1", port: 8080),
            Registered("api:web-2", "web", "10.0.0.1", port: 8081),
            Registered("api:web-3", "web", "10.0.0.2"));

        Assert.Equal(["10.0.0.1", "10.0.0.2"], zone.Ask("web.service.mesh").Addresses());
    }

    [Fact]
    public void A_answers_ipv4_addresses_and_AAAA_answers_ipv6_addresses()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1"),
            Registered("api:web-2", "web", "fd00::2"),
            Registered("api:web-3", "web", "fd00::1"));

        var a = zone.Ask("web.service.mesh", RecordType.A);
        var aaaa = zone.Ask("web.service.mesh", RecordType.Aaaa);

        Assert.All(a.Answers, r => Assert.IsType<ARecord>(r));
        Assert.Equal(["10.0.0.1"], a.Addresses());
        Assert.All(aaaa.Answers, r => Assert.IsType<AaaaRecord>(r));
        Assert.Equal(["fd00::1", "fd00::2"], aaaa.Addresses());
    }

    [Fact]
    public void ANY_answers_both_families()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), Registered("api:web-2", "web", "fd00::2"));

        Assert.Equal(["10.0.0.1", "fd00::2"], zone.Ask("web.service.mesh", RecordType.Any).Addresses());
    }

    [Fact]
    public void AAAA_for_an_ipv4_only_service_is_nodata()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        AssertNoData(zone.Ask("web.service.mesh", RecordType.Aaaa));
    }

    [Theory]
    [InlineData(RecordType.Txt)]
    [InlineData(RecordType.CName)]
    [InlineData(RecordType.Mx)]
    [InlineData(RecordType.Ns)]
    public void A_type_a_service_name_has_no_records_of_is_nodata(RecordType type)
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        AssertNoData(zone.Ask("web.service.mesh", type));
    }

    [Fact]
    public void An_address_set_of_more_than_one_is_marked_for_shuffling()
    {
        var one = Zone(Registered("api:web-1", "web", "10.0.0.1"));
        var two = Zone(Registered("api:web-1", "web", "10.0.0.1"), Registered("api:web-2", "web", "10.0.0.2"));

        Assert.False(one.Ask("web.service.mesh").Shuffled);
        Assert.True(two.Ask("web.service.mesh").Shuffled);
    }

    [Fact]
    public void An_unknown_service_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        AssertNxDomain(zone.Ask("nope.service.mesh"));
        AssertNxDomain(zone.Ask("nope.service.mesh", RecordType.Aaaa));
    }

    [Fact]
    public void A_service_whose_instances_all_fail_is_nodata_not_nxdomain()
    {
        var zone = Zone([.. Failing("api:web-1", "web", "10.0.0.1"), .. Failing("api:web-2", "web", "10.0.0.2")]);

        AssertNoData(zone.Ask("web.service.mesh"));
        AssertNoData(zone.Ask("web.service.mesh", RecordType.Aaaa));
    }

    [Fact]
    public void A_service_whose_instances_are_all_deregistered_is_nxdomain()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1"),
            Registered("api:web-2", "web", "10.0.0.2"),
            new InstanceDeregistered("api:web-1", "api"),
            new InstanceDeregistered("api:web-2", "api"));

        AssertNxDomain(zone.Ask("web.service.mesh"));
    }

    [Fact]
    public void An_instance_that_moved_to_another_service_is_answered_only_under_its_new_one()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), Registered("api:web-1", "admin", "10.0.0.1"));

        AssertNxDomain(zone.Ask("web.service.mesh"));
        Assert.Equal(["10.0.0.1"], zone.Ask("admin.service.mesh").Addresses());
    }

    [Fact]
    public void A_tag_name_answers_the_instances_carrying_the_tag()
    {
        var zone = Zone(
            Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]),
            Registered("api:web-2", "web", "10.0.0.2", tags: ["v2", "canary"]),
            Registered("api:web-3", "web", "10.0.0.3", tags: ["V2"]));

        Assert.Equal(["10.0.0.2", "10.0.0.3"], zone.Ask("v2.web.service.mesh").Addresses());
        Assert.Equal(["10.0.0.2"], zone.Ask("canary.web.service.mesh").Addresses());
        Assert.Equal(["10.0.0.1"], zone.Ask("v1.web.service.mesh").Addresses());
    }

    [Fact]
    public void A_tag_no_instance_carries_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]));

        AssertNxDomain(zone.Ask("v9.web.service.mesh"));
    }

    [Fact]
    public void A_tag_whose_instances_all_fail_is_nodata()
    {
        var zone = Zone([
            Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]),
            Registered("api:web-2", "web", "10.0.0.2", tags: ["v2"], checks: ["web-2-http"]),
            new InstanceHealthChanged("api:web-2", "web-2-http", HealthStatus.Critical, "down"),
        ]);

        AssertNoData(zone.Ask("v2.web.service.mesh"));
    }

    [Fact]
    public void More_labels_than_tag_and_service_is_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]));

        AssertNxDomain(zone.Ask("x.v1.web.service.mesh"));
    }

    [Fact]
    public void A_host_name_instance_is_not_answered_as_an_address()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"), Registered("api:web-2", "web", "web-2.example.internal"));

        Assert.Equal(["10.0.0.1"], zone.Ask("web.service.mesh").Addresses());
    }

    [Fact]
    public void A_service_of_host_name_instances_only_is_nodata_for_addresses()
    {
        var zone = Zone(Registered("api:web-1", "web", "web-1.example.internal"));

        AssertNoData(zone.Ask("web.service.mesh"));
    }

    [Fact]
    public void Names_are_case_insensitive_and_answered_in_lowercase()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", tags: ["v1"]));

        var upper = zone.Ask("WEB.Service.MESH");

        Assert.Equal(zone.Ask("web.service.mesh").Text(), upper.Text());
        Assert.Equal(["10.0.0.1"], upper.Addresses());
        Assert.Equal(["web", "service", "mesh"], Assert.Single(upper.Answers).Name.Labels);
        Assert.Equal(["10.0.0.1"], zone.Ask("V1.Web.SERVICE.mesh").Addresses());
    }
}
