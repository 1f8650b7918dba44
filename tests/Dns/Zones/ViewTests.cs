using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;
using Mesh.Registry.Events;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>
/// Views: a service name is answered for the asker's environment, falling back along its chain to integration;
/// <c>svc.service.&lt;env&gt;.mesh</c> names the environment whatever the view.
/// </summary>
public sealed class ViewTests
{
    private static readonly ZoneView Envs = Zone([
        Registered("api:redis-int", "redis", "10.0.0.1"),
        Registered("api:redis-x", "redis", "10.1.0.1", env: "feature-x"),
        Registered("api:web-int", "web", "10.0.0.2", tags: ["v1"]),
        Registered("api:web-y", "web", "10.2.0.2", env: "feature-y", tags: ["v1"]),
        .. Failing("api:db-y", "db", "10.2.0.3", env: "feature-y"),
        Registered("api:db-int", "db", "10.0.0.3"),
        Registered("api:api-x", "api", "10.1.0.4", env: "feature-x"),
        new EnvironmentDefined("feature-z", "feature-x"),
        new EnvironmentDefined("feature-w", "feature-z"),
        Registered("api:web-z", "web", "10.3.0.2", env: "feature-z"),
    ]);

    [Fact]
    public void An_environment_view_answers_its_own_instances()
    {
        Assert.Equal(["10.1.0.1"], Envs.Ask("redis.service.mesh", view: "feature-x").Addresses());
        Assert.Equal(["10.0.0.1"], Envs.Ask("redis.service.mesh", view: "integration").Addresses());
    }

    [Fact]
    public void An_environment_that_does_not_run_a_service_falls_back_to_integration()
    {
        Assert.Equal(["10.0.0.2"], Envs.Ask("web.service.mesh", view: "feature-x").Addresses());
    }

    [Fact]
    public void A_view_of_an_environment_that_does_not_exist_answers_integration()
    {
        Assert.Equal(["10.0.0.1"], Envs.Ask("redis.service.mesh", view: "staging").Addresses());
    }

    [Fact]
    public void A_service_only_another_environment_runs_is_nxdomain_in_integration()
    {
        AssertNxDomain(Envs.Ask("api.service.mesh", view: "integration"));
        AssertNxDomain(Envs.Ask("api.service.mesh", view: "feature-y"));
        Assert.Equal(["10.1.0.4"], Envs.Ask("api.service.mesh", view: "feature-x").Addresses());
    }

    [Fact]
    public void An_environment_whose_own_copy_fails_is_nodata_instead_of_falling_back()
    {
        AssertNoData(Envs.Ask("db.service.mesh", view: "feature-y"));
        Assert.Equal(["10.0.0.3"], Envs.Ask("db.service.mesh", view: "integration").Addresses());
    }

    [Fact]
    public void An_explicit_environment_name_is_answered_whatever_the_view()
    {
        foreach (var view in new[] { "integration", "feature-y", "staging" })
            Assert.Equal(["10.1.0.1"], Envs.Ask("redis.service.feature-x.mesh", view: view).Addresses());
        Assert.Equal(["10.0.0.1"], Envs.Ask("redis.service.integration.mesh", view: "feature-x").Addresses());
    }

    [Fact]
    public void An_explicit_environment_name_falls_back_along_its_chain()
    {
        Assert.Equal(["10.0.0.1"], Envs.Ask("redis.service.feature-y.mesh", view: "feature-x").Addresses());
        Assert.Equal(["10.1.0.1"], Envs.Ask("redis.service.feature-z.mesh").Addresses());
    }

    [Fact]
    public void An_explicit_environment_name_takes_tags_and_srv()
    {
        Assert.Equal(["10.2.0.2"], Envs.Ask("v1.web.service.feature-y.mesh").Addresses());
        var srv = Envs.Ask("_web._tcp.service.feature-y.mesh", RecordType.Srv);
        Assert.Equal("0a020002.addr.mesh", string.Join('.', Assert.IsType<SrvRecord>(Assert.Single(srv.Answers)).Target.Labels));
    }

    [Fact]
    public void An_explicit_name_of_an_environment_that_does_not_exist_is_nxdomain()
    {
        AssertNxDomain(Envs.Ask("redis.service.staging.mesh"));
    }

    [Theory]
    [InlineData("feature-x.mesh")]
    [InlineData("service.feature-x.mesh")]
    public void An_environment_s_own_names_without_a_service_are_nodata(string name)
    {
        AssertNoData(Envs.Ask(name));
    }

    [Fact]
    public void A_name_under_an_environment_that_is_not_a_service_name_is_nxdomain()
    {
        AssertNxDomain(Envs.Ask("redis.feature-x.mesh"));
        AssertNxDomain(Envs.Ask("redis.node.feature-x.mesh"));
    }

    [Fact]
    public void A_defined_fallback_is_followed_before_integration()
    {
        // feature-w → feature-z → feature-x → integration
        Assert.Equal(["10.3.0.2"], Envs.Ask("web.service.mesh", view: "feature-w").Addresses());
        Assert.Equal(["10.1.0.1"], Envs.Ask("redis.service.mesh", view: "feature-w").Addresses());
        Assert.Equal(["10.1.0.4"], Envs.Ask("api.service.mesh", view: "feature-z").Addresses());
        Assert.Equal(["10.0.0.3"], Envs.Ask("db.service.mesh", view: "feature-w").Addresses());
    }

    [Fact]
    public void A_fallback_cycle_ends_at_integration()
    {
        var zone = Zone(
            Registered("api:redis-int", "redis", "10.0.0.1"),
            new EnvironmentDefined("a", "b"),
            new EnvironmentDefined("b", "a"));

        Assert.Equal(["10.0.0.1"], zone.Ask("redis.service.mesh", view: "a").Addresses());
        Assert.Equal(["10.0.0.1"], zone.Ask("redis.service.b.mesh").Addresses());
    }

    [Fact]
    public void Views_do_not_change_gateway_node_or_addr_names()
    {
        foreach (var view in new[] { "integration", "feature-x" })
        {
            Assert.Equal(["192.0.2.80"], Envs.Ask("redis.mesh", view: view).Addresses());
            Assert.Equal(["10.0.0.1"], Envs.Ask("0a000001.addr.mesh", view: view).Addresses());
            Assert.Equal(8, Envs.Ask("node-1.node.mesh", view: view).Answers.Length);
        }
    }

    [Fact]
    public void Addr_is_a_reserved_environment_name_because_it_is_a_fixed_label()
    {
        // Classify reads addr before environments, so an environment of that name could never be named explicitly.
        Assert.True(Mesh.Projections.Environments.EnvironmentNames.IsReserved("addr"));
        Assert.Contains("environment name 'addr' is reserved", Mesh.Projections.Environments.EnvironmentNames.Validate("addr", null));
    }
}
