using System.Collections.Immutable;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.Routes;

public sealed class RouteTableTests
{
    private static InstanceRegistered In(string env, string id, string service, bool passing = true, params RouteSpec[] routes) =>
        Registered(id, service, (passing ? TcpCheck : HttpCheck) with { CheckId = $"{id}-check" }) with
        {
            Env = env,
            Address = $"10.0.0.{id.Length}",
            Routes = [.. routes],
        };

    private static RouteTable Table(params IEvent[] events) => RouteTable.Of(Fold(events), RouteTableOptions.Default);

    private static string? ClusterOf(RouteTable table, string host, string path = "/") => table.Match(host, path)?.Cluster.Id;

    [Fact]
    public void ServiceHost_RoutesToIntegrationsPassingInstances()
    {
        var table = Table(In("integration", "w1", "web"), In("integration", "w2", "web", passing: false), In("feature-x", "x1", "web"));

        var route = table.Match("web.mesh", "/anything");

        Assert.NotNull(route);
        Assert.Equal(RouteKind.Service, route.Kind);
        Assert.Equal("web", route.Cluster.Id);
        Assert.Equal(["w1"], route.Cluster.Destinations.Select(d => d.InstanceId));
        Assert.Equal($"http://10.0.0.2:8080", route.Cluster.Destinations[0].BaseUrl);
    }

    [Theory]
    [InlineData("web.feature-x.test.mesh", "web--feature-x", "feature-x", "x-web")] // runs its own
    [InlineData("redis.feature-x.test.mesh", "redis--feature-x", "integration", "i-redis")] // falls back
    [InlineData("WEB.Feature-X.Test.Mesh", "web--feature-x", "feature-x", "x-web")] // host names have no case
    [InlineData("redis.integration.test.mesh", "redis", "integration", "i-redis")]
    public void EnvironmentHost_RoutesToTheEnvironmentsViewWithFallback(string host, string cluster, string answeredBy, string instance)
    {
        var table = Table(In("integration", "i-web", "web"), In("integration", "i-redis", "redis"), In("feature-x", "x-web", "web"));

        var route = table.Match(host, "/");

        Assert.NotNull(route);
        Assert.Equal(cluster, route.Cluster.Id);
        Assert.Equal(answeredBy, route.Cluster.AnsweredBy);
        Assert.Equal([instance], route.Cluster.Destinations.Select(d => d.InstanceId));
    }

    [Fact]
    public void EnvironmentHost_OfAnEnvironmentThatDoesNotExist_IsNotRouted()
    {
        var table = Table(In("integration", "i-web", "web"));

        Assert.Null(table.Match("web.nowhere.test.mesh", "/"));
        Assert.Null(table.Match("nothing.mesh", "/"));
    }

    [Fact]
    public void DefinedEnvironment_RoutesWithoutInstancesOfItsOwn_ThroughItsFallback()
    {
        var table = Table(In("integration", "i-web", "web"), In("staging", "s-web", "web"), new EnvironmentDefined("feature-y", "staging"));

        Assert.Equal(["s-web"], table.Match("web.feature-y.test.mesh", "/")!.Cluster.Destinations.Select(d => d.InstanceId));
    }

    [Fact]
    public void EnvironmentThatRunsTheServiceBroken_GetsNoDestinations_NotIntegrations()
    {
        var table = Table(In("integration", "i-web", "web"), In("feature-x", "x-web", "web", passing: false));

        var route = table.Match("web.feature-x.test.mesh", "/")!;

        Assert.Equal("feature-x", route.Cluster.AnsweredBy);
        Assert.Empty(route.Cluster.Destinations);
    }

    [Fact]
    public void ServiceWhoseInstancesAllLeft_KeepsItsHost_WithNoDestinations()
    {
        var table = Table(In("integration", "w1", "web"), new InstanceDeregistered("w1", "exit 0"));

        var route = table.Match("web.mesh", "/");

        Assert.NotNull(route);
        Assert.Empty(route.Cluster.Destinations);
    }

    [Theory]
    [InlineData("shop.example.com", "/", "web")]
    [InlineData("shop.example.com", "/cart", "web")]
    [InlineData("shop.example.com", "/api", "api")]
    [InlineData("shop.example.com", "/api/", "api")]
    [InlineData("shop.example.com", "/api/v2/orders", "api-v2")] // the longest prefix wins
    [InlineData("shop.example.com", "/apix", "web")] // prefixes match whole segments
    [InlineData("shop.example.com", "/api/v2x", "api")]
    [InlineData("eu.shop.example.com", "/", "wild")] // wildcard: any one label
    [InlineData("a.eu.shop.example.com", "/", null)] // ... and only one
    [InlineData("shop.example.com:8080", "/", null)] // callers strip the port
    [InlineData("other.example.com", "/", null)]
    public void DeclaredRoutes_MostSpecificMatchWins(string host, string path, string? cluster)
    {
        var table = Table(
            In("integration", "web-1", "web", routes: new RouteSpec("shop.example.com")),
            In("integration", "api-1", "api", routes: new RouteSpec("shop.example.com", "/api/")),
            In("integration", "api2-1", "api-v2", routes: new RouteSpec("shop.example.com", "/api/v2")),
            In("integration", "wild-1", "wild", routes: new RouteSpec("*.shop.example.com")));

        Assert.Equal(cluster, ClusterOf(table, host, path));
    }

    [Fact]
    public void ExactHost_WinsOverWildcard_WhateverThePrefix()
    {
        var table = Table(
            In("integration", "wild-1", "wild", routes: new RouteSpec("*.example.com", "/api")),
            In("integration", "exact-1", "exact", routes: new RouteSpec("www.example.com", "/")));

        Assert.Equal("exact", ClusterOf(table, "www.example.com", "/api/x"));
        Assert.Equal("wild", ClusterOf(table, "api.example.com", "/api/x"));
        Assert.Null(ClusterOf(table, "api.example.com", "/other"));
    }

    [Fact]
    public void SameHostAndPathForTwoServices_TheEarlierRegistrationKeepsIt_AndTheConflictIsListed()
    {
        var table = Table(
            In("integration", "old-1", "old", routes: new RouteSpec("shop.example.com")),
            In("integration", "new-1", "new", routes: new RouteSpec("shop.example.com", "/")),
            // A re-registration of the first claimant does not make its claim later.
            In("integration", "old-1", "old", routes: new RouteSpec("shop.example.com")) with { Port = 9090 });

        Assert.Equal("old", ClusterOf(table, "shop.example.com"));
        var conflict = Assert.Single(table.Conflicts);
        Assert.Equal(new RouteConflict("shop.example.com", "/", "old", "old-1", "new", "new-1"), conflict);
    }

    [Fact]
    public void ReplicasDeclaringTheSameRoute_AreOneClusterAndNoConflict()
    {
        var table = Table(
            In("integration", "web-1", "web", routes: new RouteSpec("shop.example.com")),
            In("integration", "web-2", "web", routes: new RouteSpec("shop.example.com")));

        Assert.Empty(table.Conflicts);
        Assert.Equal(["web-1", "web-2"], table.Match("shop.example.com", "/")!.Cluster.Destinations.Select(d => d.InstanceId));
    }

    [Fact]
    public void DeclaredRoute_OfAnotherEnvironment_RoutesToThatEnvironmentsInstances()
    {
        var table = Table(
            In("integration", "i-web", "web"),
            In("feature-x", "x-web", "web", routes: new RouteSpec("x.example.com")));

        Assert.Equal(["x-web"], table.Match("x.example.com", "/")!.Cluster.Destinations.Select(d => d.InstanceId));
    }

    [Fact]
    public void RouteOptions_AreCarried_AndStrippingTheRootPrefixMeansNothing()
    {
        var table = Table(
            In("integration", "api-1", "api", routes: new RouteSpec("a.example.com", "/api", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromSeconds(3))),
            In("integration", "web-1", "web", routes: new RouteSpec("b.example.com", "/", StripPrefix: true)));

        var api = table.Match("a.example.com", "/api/x")!;
        Assert.True(api.StripPrefix);
        Assert.True(api.HttpsRedirect);
        Assert.Equal(TimeSpan.FromSeconds(3), api.Timeout);
        Assert.Equal("api-1", api.DeclaredBy);
        Assert.False(table.Match("b.example.com", "/x")!.StripPrefix);
    }

    [Fact]
    public void UnroutableInstances_AreNotDestinations()
    {
        var table = Table(
            In("integration", "w1", "web") with { Port = 0 },
            In("integration", "w2", "web") with { Meta = ImmutableSortedDictionary<string, string>.Empty.Add(RouteTable.UnroutableMeta, "no port") },
            In("integration", "w3", "web"));

        Assert.Equal(["w3"], table.Match("web.mesh", "/")!.Cluster.Destinations.Select(d => d.InstanceId));
    }

    [Fact]
    public void Destinations_CarryTheDeployVersion()
    {
        var table = Table(In("integration", "blue", "web") with { Version = "1" }, In("integration", "green", "web") with { Version = "2" });

        Assert.Equal(["1", "2"], table.Match("web.mesh", "/")!.Cluster.Destinations.Select(d => d.Version));
    }

    [Fact]
    public void Table_IsAFunctionOfTheState()
    {
        IEvent[] events = [
            In("integration", "web-1", "web", routes: new RouteSpec("shop.example.com")),
            In("feature-x", "x-api", "api", routes: new RouteSpec("*.example.com", "/api")),
        ];
        var a = Table(events);
        var b = Table(events);

        Assert.Equal(a.Routes.Select(r => (r.Host, r.PathPrefix, r.Cluster.Id)), b.Routes.Select(r => (r.Host, r.PathPrefix, r.Cluster.Id)));
        Assert.Equal(a.Position, b.Position);
    }

    [Fact]
    public void Domains_AreConfigurable()
    {
        var state = Fold(In("integration", "w1", "web"), In("feature-x", "x1", "web"));
        var table = RouteTable.Of(state, new RouteTableOptions("corp.internal.", "dev.corp.internal"));

        Assert.Equal("web", ClusterOf(table, "web.corp.internal"));
        Assert.Equal("web--feature-x", ClusterOf(table, "web.feature-x.dev.corp.internal"));
        Assert.Null(ClusterOf(table, "web.mesh"));
    }
}
