using Mesh.Nginx.Configuration;
using Mesh.Nginx.Model;
using Mesh.Nginx.Rendering;
using Mesh.Registry.Events;
using static Mesh.Nginx.Tests.Fixtures;

namespace Mesh.Nginx.Tests.Model;

public sealed class NginxModelTests
{
    private static readonly NginxTargetOptions Upstreams = new() { OutputPath = "/tmp/mesh-model/upstreams.conf" };
    private static readonly NginxTargetOptions Full = new() { OutputPath = "/tmp/mesh-model/full.conf", Mode = "full", Listen = "8081" };

    private static NginxUpstream Upstream(NginxModel model, string name) => Assert.Single(model.Upstreams, u => u.Name == name);

    [Fact]
    public void From_ListsOnlyPassingInstances()
    {
        var state = Fold(Registered("a", "web", "10.0.0.1"), Registered("b", "web", "10.0.0.2"), Critical("b"));

        var web = Upstream(NginxModel.From(state, "t", Upstreams), "web");

        Assert.Equal(["10.0.0.1:8080"], web.Servers.Select(s => s.Endpoint));
    }

    [Theory]
    [InlineData("integration", "web")]
    [InlineData("feature-x", "web--feature-x")]
    public void From_NamesUpstreamsByServiceAndEnvironment(string env, string expected)
    {
        var state = Fold(Registered("a", "web", env: env));

        var model = NginxModel.From(state, "t", Upstreams);

        Assert.Contains(model.Upstreams, u => u.Name == expected && u.Servers.Count == 1);
    }

    [Fact]
    public void From_EnvironmentWithoutItsOwnCopy_FallsBackToIntegration()
    {
        var state = Fold(Registered("a", "web", "10.0.0.1"), Registered("b", "api", "10.0.0.2", env: "feature-x"));

        var model = NginxModel.From(state, "t", Upstreams);

        var web = Upstream(model, "web--feature-x");
        Assert.Equal("integration", web.AnsweredBy);
        Assert.Equal(["10.0.0.1:8080"], web.Servers.Select(s => s.Endpoint));
        Assert.True(Upstream(model, "api").Placeholder); // integration does not run api: 503, but defined
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(8080, true)]
    public void From_SkipsInstancesWithoutAPort(int port, bool routed)
    {
        var state = Fold(Registered("a", "web", port: port));

        Assert.Equal(routed, !Upstream(NginxModel.From(state, "t", Upstreams), "web").Placeholder);
    }

    [Fact]
    public void From_SkipsUnroutableInstances()
    {
        var state = Fold(Registered("a", "web", meta: ("mesh-unroutable", "no port")));

        Assert.True(Upstream(NginxModel.From(state, "t", Upstreams), "web").Placeholder);
    }

    [Fact]
    public void From_ServiceWithoutPassingInstance_RendersPlaceholderUpstreamAnd503Server()
    {
        var state = Fold(Registered("a", "web"), Critical("a"));

        var text = NginxTemplate.BuiltIn.Render(NginxModel.From(state, "t", Upstreams));

        Assert.Contains("upstream web {\n    # no passing instance: the placeholder answers 503\n    server unix:/tmp/mesh-model/upstreams.conf.503.sock;\n}", text);
        Assert.Contains("listen unix:/tmp/mesh-model/upstreams.conf.503.sock;\n    return 503;", text);
    }

    [Fact]
    public void From_FiltersServicesAndEnvironments_AndKeepsNamedServicesWithoutInstances()
    {
        var state = Fold(Registered("a", "web"), Registered("b", "api"), Registered("c", "web", env: "feature-x"));
        var options = new NginxTargetOptions { OutputPath = "/tmp/x.conf", Services = ["web", "billing"], Environments = ["integration"] };

        var model = NginxModel.From(state, "t", options);

        Assert.Equal(["billing", "web"], model.Upstreams.Select(u => u.Name));
    }

    [Fact]
    public void From_SameRegistryInAnyOrder_RendersIdenticalBytes()
    {
        IEvent[] events = [Registered("a", "web", "10.0.0.2"), Registered("b", "web", "10.0.0.1"), Registered("c", "api", "10.0.0.3", env: "qa")];

        var one = NginxTemplate.BuiltIn.Render(NginxModel.From(Fold(events), "t", Full));
        var other = NginxTemplate.BuiltIn.Render(NginxModel.From(Fold([.. events.Reverse()]), "t", Full));

        Assert.Equal(one.Replace("position 3", "", StringComparison.Ordinal), other.Replace("position 3", "", StringComparison.Ordinal));
        Assert.True(one.IndexOf("10.0.0.1:8080", StringComparison.Ordinal) < one.IndexOf("10.0.0.2:8080", StringComparison.Ordinal));
    }

    [Fact]
    public void From_FullMode_RendersDeclaredRoutesAndEnvironmentHosts()
    {
        var state = Fold(
            Registered("a", "web", routes: [new RouteSpec("www.example.test"), new RouteSpec("www.example.test", "/api", StripPrefix: true)]),
            Registered("b", "web", env: "feature-x"));

        var model = NginxModel.From(state, "t", Full);

        var www = Assert.Single(model.Servers, s => s.Host == "www.example.test");
        Assert.Equal([new NginxLocation("/", "web", false), new NginxLocation("/api/", "web", true)], www.Locations);
        Assert.Contains(model.Servers, s => s.Host == "web.feature-x.test.mesh" && s.Locations[0].Upstream == "web--feature-x");
        var text = NginxTemplate.BuiltIn.Render(model);
        Assert.Contains("location /api/ {\n        proxy_pass http://web/;", text);
        Assert.Contains("listen 8081;\n    server_name www.example.test;", text);
    }

    [Fact]
    public void From_UpstreamsMode_RendersNoServerBlocks()
    {
        var state = Fold(Registered("a", "web", routes: [new RouteSpec("www.example.test")]));

        var model = NginxModel.From(state, "t", Upstreams);

        Assert.Empty(model.Servers);
        Assert.DoesNotContain("server_name", NginxTemplate.BuiltIn.Render(model));
    }
}
