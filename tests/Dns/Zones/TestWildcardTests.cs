using ARSoft.Tools.Net.Dns;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>The test wildcard zone: every name under an existing environment of <c>test.mesh</c> is the gateway.</summary>
public sealed class TestWildcardTests
{
    private static readonly IEvent FeatureX = Registered("api:web-x", "web", "10.1.0.1", env: "feature-x");

    [Theory]
    [InlineData("anything.feature-x.test.mesh")]
    [InlineData("a.b.feature-x.test.mesh")]
    [InlineData("web.feature-x.test.mesh")]
    [InlineData("Anything.Feature-X.TEST.mesh")]
    public void A_name_under_an_existing_environment_answers_the_gateway_addresses(string name)
    {
        var zone = Zone(FeatureX);

        var answer = zone.Ask(name);

        AssertPositive(answer);
        Assert.Equal(["192.0.2.80"], answer.Addresses());
        Assert.Equal(["2001:db8::80"], zone.Ask(name, RecordType.Aaaa).Addresses());
    }

    [Fact]
    public void Before_the_environment_has_an_instance_its_names_are_nxdomain()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1"));

        AssertNxDomain(zone.Ask("anything.feature-x.test.mesh"));
        AssertNxDomain(zone.Ask("a.b.feature-x.test.mesh"));
        AssertNxDomain(zone.Ask("feature-x.test.mesh"));
    }

    [Fact]
    public void Once_its_last_instance_is_deregistered_the_environment_and_its_names_are_gone()
    {
        var zone = Zone(FeatureX, new InstanceDeregistered("api:web-x", "api"));

        AssertNxDomain(zone.Ask("anything.feature-x.test.mesh"));
        AssertNxDomain(zone.Ask("feature-x.test.mesh"));
    }

    [Fact]
    public void An_environment_whose_instances_all_fail_still_has_its_names()
    {
        var zone = Zone(Failing("api:web-x", "web", "10.1.0.1", env: "feature-x"));

        Assert.Equal(["192.0.2.80"], zone.Ask("anything.feature-x.test.mesh").Addresses());
    }

    [Fact]
    public void An_environment_defined_without_instances_has_its_names()
    {
        var zone = Zone(new EnvironmentDefined("feature-y", "integration"));

        Assert.Equal(["192.0.2.80"], zone.Ask("anything.feature-y.test.mesh").Addresses());
    }

    [Fact]
    public void The_environment_name_itself_is_nodata_while_it_exists()
    {
        var zone = Zone(FeatureX);

        AssertNoData(zone.Ask("feature-x.test.mesh"));
        AssertNoData(zone.Ask("feature-x.test.mesh", RecordType.Aaaa));
    }

    [Fact]
    public void Integration_always_exists_under_the_test_domain()
    {
        Assert.Equal(["192.0.2.80"], Zone().Ask("anything.integration.test.mesh").Addresses());
    }

    [Fact]
    public void The_test_domain_itself_is_nodata()
    {
        AssertNoData(Zone(FeatureX).Ask("test.mesh"));
    }

    [Fact]
    public void Test_names_are_not_shuffled_and_have_no_srv()
    {
        var zone = Zone(FeatureX);

        Assert.False(zone.Ask("anything.feature-x.test.mesh", RecordType.Any).Shuffled);
        AssertNoData(zone.Ask("anything.feature-x.test.mesh", RecordType.Srv));
    }
}
