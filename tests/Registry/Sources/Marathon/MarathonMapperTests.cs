using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Marathon;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonMapperTests
{
    private static readonly MarathonTask Task1 = new("app.1", "/shop/cart", "agent-1.example.org", [31000, 31001],
        [new MarathonIpAddress("10.9.0.7", "IPv4")], "TASK_RUNNING", null);

    private static MarathonApp App(string id = "/shop/cart", Dictionary<string, string>? labels = null, bool health = false) =>
        new(id, labels ?? [], health ? [JsonDocument.Parse("{\"protocol\":\"HTTP\"}").RootElement] : [], [Task1]);

    private static InstanceSeen Seen(MarathonApp app, MarathonTask? task = null, string? group = null) =>
        Assert.IsType<InstanceSeen>(MarathonMapper.Map(app, task ?? Task1, "marathon", group));

    [Fact]
    public void Map_PlainApp_ServiceFromAppIdAddressFromHostAndFirstPort()
    {
        var seen = Seen(App());

        Assert.Equal("marathon:app.1", seen.InstanceId);
        Assert.Equal("marathon", seen.Source);
        Assert.Equal("cart-shop", seen.Service);
        Assert.Equal(DnsLabel.DefaultEnvironment, seen.Env);
        Assert.Equal("agent-1.example.org", seen.Address);
        Assert.Equal(31000, seen.Port);
        Assert.Equal("marathon", seen.Node);
        Assert.Empty(seen.Routes);
        Assert.Empty(seen.Checks);
        Assert.Equal("/shop/cart", seen.Meta[MarathonMapper.AppIdMeta]);
    }

    [Fact]
    public void Map_IpPerTaskWithoutHostPorts_AddressFromTheTaskIp()
    {
        var seen = Seen(App(), Task1 with { Ports = [] });

        Assert.Equal("10.9.0.7", seen.Address);
        Assert.Equal(0, seen.Port);
    }

    [Theory]
    [InlineData("mesh.service", "basket", "Service", "basket")]
    [InlineData("mesh.env", "prod", "Env", "prod")]
    [InlineData("mesh.address", "10.50.0.9", "Address", "10.50.0.9")]
    [InlineData("mesh.version", "1.2.3", "Version", "1.2.3")]
    [InlineData("mesh.tags", "a, b,a", "Tags", "a,b")]
    public void Map_MeshLabel_Overrides(string label, string value, string field, string expected)
    {
        var seen = Seen(App(labels: new() { [label] = value }));

        var actual = field switch
        {
            "Service" => seen.Service,
            "Env" => seen.Env,
            "Address" => seen.Address,
            "Version" => seen.Version,
            _ => string.Join(',', seen.Tags),
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("mesh.service", "Not A Label", "service name")]
    [InlineData("mesh.env", "-bad", "environment")]
    [InlineData("mesh.address", "not an address!", "mesh.address")]
    [InlineData("HAPROXY_0_VHOST", "bad host!", "HAPROXY_0_VHOST")]
    [InlineData("mesh.route.path", "nopath", "mesh.route.path")]
    public void Map_BadLabel_InvalidNamingTheLabel(string label, string value, string mentioned)
    {
        var invalid = Assert.IsType<InstanceInvalid>(MarathonMapper.Map(App(labels: new() { [label] = value, ["mesh.route.host"] = "a.example.org" }), Task1, "marathon", null));

        Assert.Equal("marathon:app.1", invalid.InstanceId);
        Assert.Contains(mentioned, invalid.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_IgnoreLabel_Nothing() =>
        Assert.Null(MarathonMapper.Map(App(labels: new() { ["mesh.ignore"] = "true" }), Task1, "marathon", null));

    [Fact]
    public void Map_HaproxyVhosts_Routes()
    {
        var seen = Seen(App(labels: new() { ["HAPROXY_0_VHOST"] = "Shop.example.org,www.example.org", ["HAPROXY_1_VHOST"] = "api.example.org" }));

        Assert.Equal(
            [new RouteSpec("shop.example.org"), new RouteSpec("www.example.org"), new RouteSpec("api.example.org")],
            seen.Routes);
    }

    [Fact]
    public void Map_MeshRouteLabels_EveryOption()
    {
        var seen = Seen(App(labels: new()
        {
            ["mesh.route.host"] = "*.Shop.example.org",
            ["mesh.route.path"] = "/cart",
            ["mesh.route.strip-prefix"] = "true",
            ["mesh.route.https-redirect"] = "true",
            ["mesh.route.timeout"] = "45s",
        }));

        Assert.Equal([new RouteSpec("*.shop.example.org", "/cart", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromSeconds(45))], seen.Routes);
    }

    [Fact]
    public void Map_MeshRouteHostOnly_Defaults() =>
        Assert.Equal([new RouteSpec("shop.example.org", "/", false, false, null)], Seen(App(labels: new() { ["mesh.route.host"] = "shop.example.org" })).Routes);

    [Fact]
    public void Map_HaproxyPathAndRedirect_ApplyToTheirPortsVhosts()
    {
        var seen = Seen(App(labels: new()
        {
            ["HAPROXY_0_VHOST"] = "shop.example.org,*.shop.example.org",
            ["HAPROXY_0_PATH"] = "/cart /basket",
            ["HAPROXY_0_REDIRECT_TO_HTTPS"] = "true",
            ["HAPROXY_1_VHOST"] = "api.example.org",
            ["HAPROXY_1_REDIRECT_TO_HTTPS"] = "false",
            ["mesh.route.host"] = "cart.example.org",
            ["mesh.route.timeout"] = "10s", // mesh.route.* options are for mesh.route.host's routes only
        }));

        Assert.Equal(
            [
                new RouteSpec("cart.example.org", Timeout: TimeSpan.FromSeconds(10)),
                new RouteSpec("shop.example.org", "/cart", HttpsRedirect: true),
                new RouteSpec("shop.example.org", "/basket", HttpsRedirect: true),
                new RouteSpec("*.shop.example.org", "/cart", HttpsRedirect: true),
                new RouteSpec("*.shop.example.org", "/basket", HttpsRedirect: true),
                new RouteSpec("api.example.org"),
            ],
            seen.Routes);
    }

    [Fact]
    public void Map_HaproxyPathAndRedirectWithoutTheirVhost_IgnoredAsMarathonLbDoes() =>
        Assert.Empty(Seen(App(labels: new() { ["HAPROXY_0_PATH"] = "/cart", ["HAPROXY_0_REDIRECT_TO_HTTPS"] = "true", ["HAPROXY_1_VHOST"] = " " })).Routes);

    [Fact]
    public void MapAll_PerPortService_TakesOnlyItsPortsPathAndRedirect()
    {
        var app = App(labels: new()
        {
            ["HAPROXY_0_VHOST"] = "web.example.org", ["HAPROXY_0_PATH"] = "/web",
            ["HAPROXY_1_VHOST"] = "admin.example.org", ["HAPROXY_1_REDIRECT_TO_HTTPS"] = "true",
        }) with
        {
            PortDefinitions = [new(new Dictionary<string, string> { ["mesh.service"] = "web" }), new(new Dictionary<string, string> { ["mesh.service"] = "admin" })],
        };

        var seen = MarathonMapper.MapAll(app, Task1, "marathon", null).Cast<InstanceSeen>().ToArray();

        Assert.Equal([new RouteSpec("web.example.org", "/web")], seen[0].Routes);
        Assert.Equal([new RouteSpec("admin.example.org", HttpsRedirect: true)], seen[1].Routes);
    }

    [Theory]
    [InlineData("mesh.route.strip-prefix", "yes", "label mesh.route.strip-prefix 'yes' is neither true nor false")]
    [InlineData("mesh.route.https-redirect", "maybe", "label mesh.route.https-redirect 'maybe' is neither true nor false")]
    [InlineData("mesh.route.timeout", "soon", "label mesh.route.timeout 'soon' is not a duration (e.g. 30s)")]
    [InlineData("mesh.route.timeout", "0s", "label mesh.route.timeout '0s' is not positive")]
    [InlineData("mesh.route.timeout", "61m", "label mesh.route.timeout '61m' is longer than 1h")]
    [InlineData("mesh.route.host", "*", "label mesh.route.host '*' is not a host name: '*' may only be the whole first label, as in *.example.com")]
    [InlineData("HAPROXY_0_VHOST", "a.*.example.org", "label HAPROXY_0_VHOST 'a.*.example.org' is not a host name: '*' may only be the whole first label, as in *.example.com")]
    [InlineData("HAPROXY_0_PATH", "-i /cart", "label HAPROXY_0_PATH '-i' must start with '/'")]
    [InlineData("HAPROXY_0_REDIRECT_TO_HTTPS", "yes", "label HAPROXY_0_REDIRECT_TO_HTTPS 'yes' is neither true nor false")]
    public void Map_BadRouteLabel_InvalidWithTheReason(string label, string value, string reason)
    {
        var labels = new Dictionary<string, string> { ["mesh.route.host"] = "a.example.org", ["HAPROXY_0_VHOST"] = "b.example.org" };
        labels[label] = value;

        var invalid = Assert.IsType<InstanceInvalid>(MarathonMapper.Map(App(labels: labels), Task1, "marathon", null));

        Assert.Equal(reason, invalid.Reason);
    }

    [Theory]
    [InlineData(null, "external", true)]
    [InlineData("external", "external", true)]
    [InlineData("external", "internal", false)]
    [InlineData("external", null, false)]
    public void Map_HaproxyGroup_RoutesOnlyForTheConfiguredGroup(string? configured, string? appGroup, bool routed)
    {
        var labels = new Dictionary<string, string> { ["HAPROXY_0_VHOST"] = "shop.example.org" };
        if (appGroup is not null) labels["HAPROXY_GROUP"] = appGroup;

        var seen = Seen(App(labels: labels), group: configured);

        Assert.Equal(routed, seen.Routes.Length > 0);
    }

    [Fact]
    public void Map_AppWithHealthChecks_SourceCheckStartingCritical()
    {
        var check = Assert.Single(Seen(App(health: true)).Checks);

        Assert.Equal(MarathonMapper.HealthCheckId, check.CheckId);
        Assert.Equal(CheckKind.Source, check.Kind);
        Assert.Equal(HealthStatus.Critical, check.InitialStatus);
    }

    [Theory]
    [InlineData("apps-embed-tasks.json", "nginx-green", "10.0.6.25:16916,10.0.6.25:31184,10.0.6.25:23336")]
    [InlineData("apps-embed-tasks-legacy.json", "nginx-green,nginx-blue", "10.0.6.25:16916,10.0.6.25:31184,10.0.6.25:23336,10.0.1.147:25724")]
    [InlineData("apps-embed-tasks-vhost.json", "pywebserver", "10.0.2.148:1565")]
    public void Map_FixtureAppList_EveryTaskRegistersValid(string file, string services, string endpoints)
    {
        var apps = MarathonAppList.Parse(MarathonFixtures.Read(file));

        var seen = apps.Apps!.SelectMany(a => a.Tasks!.Select(t => MarathonMapper.Map(a, t, "marathon", "external"))).ToArray();

        var instances = Assert.IsAssignableFrom<IReadOnlyList<Observation>>(seen).Cast<InstanceSeen>().ToArray();
        Assert.Equal(services, string.Join(',', instances.Select(i => i.Service).Distinct()));
        Assert.Equal(endpoints, string.Join(',', instances.Select(i => $"{i.Address}:{i.Port}")));
        Assert.All(apps.Apps!.SelectMany(a => a.Tasks!), t => Assert.True(MarathonMapper.IsRunning(t)));
    }

    [Fact]
    public void Map_VhostFixture_RoutesTheVhost() =>
        Assert.Equal([new RouteSpec("myvhost.com")], Seen(MarathonAppList.Parse(MarathonFixtures.Read("apps-embed-tasks-vhost.json")).Apps![0],
            MarathonAppList.Parse(MarathonFixtures.Read("apps-embed-tasks-vhost.json")).Apps![0].Tasks![0]).Routes);

    [Fact]
    public void MapAll_PortsWithTheirOwnServiceLabels_OneInstancePerNamedPort()
    {
        var app = App(labels: new() { ["HAPROXY_0_VHOST"] = "web.example.org", ["HAPROXY_1_VHOST"] = "admin.example.org" }) with
        {
            PortDefinitions = [new(new Dictionary<string, string> { ["mesh.service"] = "web" }), new(null), new(new Dictionary<string, string> { ["mesh.service"] = "admin" })],
        };
        var task = Task1 with { Ports = [31000, 31001, 31002] };

        var seen = MarathonMapper.MapAll(app, task, "marathon", null).Cast<InstanceSeen>().ToArray();

        Assert.Equal(["marathon:app.1:0 web 31000 web.example.org", "marathon:app.1:2 admin 31002 "],
            seen.Select(s => $"{s.InstanceId} {s.Service} {s.Port} {string.Join(',', s.Routes.Select(r => r.Host))}"));
        Assert.Equal("2", seen[1].Meta[MarathonMapper.PortIndexMeta]);
    }

    [Fact]
    public void MapAll_AppServiceLabelWinsOverPortLabels_OneInstance()
    {
        var app = App(labels: new() { ["mesh.service"] = "shop" }) with
        {
            Container = new MarathonContainer([new(new Dictionary<string, string> { ["mesh.service"] = "web" })], null),
        };

        var seen = Assert.IsType<InstanceSeen>(Assert.Single(MarathonMapper.MapAll(app, Task1, "marathon", null)));

        Assert.Equal("marathon:app.1", seen.InstanceId);
        Assert.Equal("shop", seen.Service);
    }

    [Fact]
    public void MapAll_NoPortLabels_TheOneInstance() =>
        Assert.Equal("marathon:app.1", Assert.Single(MarathonMapper.MapAll(App(), Task1, "marathon", null)).InstanceId);

    [Fact]
    public void HealthOf_AllAlive_PassingElseCritical()
    {
        Assert.Equal(HealthStatus.Passing, MarathonMapper.HealthOf(Task1 with { HealthCheckResults = [new(true), new(true)] }));
        Assert.Equal(HealthStatus.Critical, MarathonMapper.HealthOf(Task1 with { HealthCheckResults = [new(true), new(false)] }));
        Assert.Equal(HealthStatus.Critical, MarathonMapper.HealthOf(Task1 with { HealthCheckResults = [] }));
    }
}
