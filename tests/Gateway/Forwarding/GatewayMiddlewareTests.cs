using System.Net;
using Mesh.Gateway.Tests.Common;
using Mesh.Registry.Events;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Forwarding;

public sealed class GatewayMiddlewareTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServiceHost_ReachesEveryPassingInstance()
    {
        await using var a = await HttpBackend.StartAsync("a");
        await using var b = await HttpBackend.StartAsync("b");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-a", "web", a);
        await gateway.RegisterAsync("web-b", "web", b);

        var seen = new HashSet<string>();
        for (var i = 0; i < 40 && seen.Count < 2; i++)
        {
            var (status, body, _) = await gateway.GetAsync("web.mesh", "/");
            Assert.Equal(200, status);
            seen.Add(HttpBackend.Parse(body)["backend"]);
        }
        Assert.Equal(["a", "b"], seen.Order());
    }

    [Fact]
    public async Task UnknownHost_Is404NamingTheHost()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        var (status, body, _) = await gateway.GetAsync("nothing.example.com");

        Assert.Equal(404, status);
        Assert.Contains("'nothing.example.com'", body);
    }

    [Fact]
    public async Task ServiceWithoutPassingInstance_Is503NamingTheService()
    {
        await using var a = await HttpBackend.StartAsync("a");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Grace = TimeSpan.Zero);
        await gateway.RegisterAsync("web-a", "web", a);
        await gateway.DeregisterAsync("web-a");

        var (status, body, _) = await gateway.GetAsync("web.mesh");

        Assert.Equal(503, status);
        Assert.Contains("service 'web'", body);
    }

    [Fact]
    public async Task Recreate_WithinTheGrace_IsHeldAndServed_NotA503()
    {
        await using var old = await HttpBackend.StartAsync("old");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Grace = TimeSpan.FromSeconds(20));
        await gateway.RegisterAsync("web-1", "web", old);
        await gateway.DeregisterAsync("web-1");

        var held = gateway.GetAsync("web.mesh");
        // The request waits for the service to come back rather than failing.
        await Poll.UntilAsync(() => Task.FromResult(gateway.Metrics.For("web.mesh/", "web").Active.Value == 0 && !held.IsCompleted),
            "the request to be held", TimeSpan.FromSeconds(5), Ct);
        await using var fresh = await HttpBackend.StartAsync("new");
        await gateway.RegisterAsync("web-2", "web", fresh);

        var (status, body, _) = await held;
        Assert.Equal(200, status);
        Assert.Equal("new", HttpBackend.Parse(body)["backend"]);
    }

    [Fact]
    public async Task Recreate_PastTheGrace_Is503()
    {
        await using var old = await HttpBackend.StartAsync("old");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Grace = TimeSpan.FromMilliseconds(300));
        await gateway.RegisterAsync("web-1", "web", old);
        await gateway.DeregisterAsync("web-1");

        var (status, _, _) = await gateway.GetAsync("web.mesh");

        Assert.Equal(503, status);
    }

    [Fact]
    public async Task DeclaredRoute_WithStripPrefix_SendsTheRestOfThePath()
    {
        await using var api = await HttpBackend.StartAsync("api");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("api-1", "api", api, routes: new RouteSpec("shop.example.com", "/api", StripPrefix: true));

        var (status, body, _) = await gateway.GetAsync("shop.example.com", "/api/orders?id=7");
        var (_, root, _) = await gateway.GetAsync("shop.example.com", "/api");

        Assert.Equal(200, status);
        Assert.Equal("/orders?id=7", HttpBackend.Parse(body)["target"]);
        Assert.Equal("/", HttpBackend.Parse(root)["target"]);
        Assert.Equal(404, (await gateway.GetAsync("shop.example.com", "/other")).Status);
    }

    [Theory]
    [InlineData("/a%2Fb")]
    [InlineData("/%E6%90%9C%E7%B4%A2/%E7%94%B5%E5%BD%B1?q=%E5%BD%B1%E9%99%A2")]
    [InlineData("/x?y=%2F&z=a+b&w=%25")]
    public async Task EncodedTargets_ReachTheInstanceByteForByte(string target)
    {
        await using var web = await HttpBackend.StartAsync("web");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-1", "web", web);

        var (status, body, _) = await gateway.GetAsync("web.mesh", target);

        Assert.Equal(200, status);
        Assert.Equal(target, HttpBackend.Parse(body)["target"]);
    }

    [Fact]
    public async Task RawUtf8Target_IsServed_AndReachesTheInstanceAsTheSameUrlPercentEncoded()
    {
        await using var web = await HttpBackend.StartAsync("web");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-1", "web", web);

        // What `curl 'http://gateway/搜索/电影?q=影院'` sends: raw UTF-8 in the request line.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(gateway.Endpoints.Http!.Host, gateway.Endpoints.Http.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes("GET /搜索/电影?q=影院 HTTP/1.1\r\nHost: web.mesh\r\nConnection: close\r\n\r\n"), Ct);
        var answer = await new StreamReader(stream, System.Text.Encoding.UTF8).ReadToEndAsync(Ct);

        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("target=/%E6%90%9C%E7%B4%A2/%E7%94%B5%E5%BD%B1?q=%E5%BD%B1%E9%99%A2\n", answer);
    }

    [Fact]
    public async Task Headers_RequestIdKept_TraceparentKept_ForwardedHeadersAdded_HostKept()
    {
        await using var web = await HttpBackend.StartAsync("web");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-1", "web", web);
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var (_, body, response) = await gateway.GetAsync("web.mesh", "/", r =>
        {
            r.Headers.Add("X-Request-Id", "req-42");
            r.Headers.Add("traceparent", traceparent);
            r.Headers.Add("X-Forwarded-For", "203.0.113.9");
        });
        var seen = HttpBackend.Parse(body);

        Assert.Equal("req-42", seen["h:x-request-id"]);
        Assert.Equal(["req-42"], response.Headers.GetValues("X-Request-Id"));
        Assert.Equal(traceparent, seen["h:traceparent"]);
        Assert.Equal("203.0.113.9, 127.0.0.1", seen["h:x-forwarded-for"]);
        Assert.Equal("http", seen["h:x-forwarded-proto"]);
        Assert.Equal("web.mesh", seen["h:x-forwarded-host"]);
        Assert.Equal("web.mesh", seen["h:host"]);
    }

    [Fact]
    public async Task Headers_RequestIdAndTraceparent_AreCreatedWhenMissing()
    {
        await using var web = await HttpBackend.StartAsync("web");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-1", "web", web);

        var (_, body, response) = await gateway.GetAsync("web.mesh");
        var seen = HttpBackend.Parse(body);

        Assert.Matches("^[0-9a-f]{32}$", seen["h:x-request-id"]);
        Assert.Equal(seen["h:x-request-id"], response.Headers.GetValues("X-Request-Id").Single());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", seen["h:traceparent"]);
    }

    [Fact]
    public async Task RouteTimeout_AnInstanceSilentForLonger_Is504()
    {
        await using var slow = await HttpBackend.StartAsync("slow");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("slow-1", "slow", slow, routes: new RouteSpec("slow.example.com", "/", Timeout: TimeSpan.FromMilliseconds(200)));

        var (status, _, _) = await gateway.GetAsync("slow.example.com", "/slow/5000");

        Assert.Equal(504, status);
    }

    [Fact]
    public async Task KilledInstance_IdempotentRequestsAreRetriedElsewhere_AndPassiveHealthTakesItOut()
    {
        await using var alive = await HttpBackend.StartAsync("alive");
        await using var doomed = await HttpBackend.StartAsync("doomed");
        await using var gateway = await GatewayHarness.StartAsync(o => o.PassiveHealth.Failures = 2);
        await gateway.RegisterAsync("web-alive", "web", alive);
        await gateway.RegisterAsync("web-doomed", "web", doomed);
        await doomed.KillAsync();

        for (var i = 0; i < 30; i++)
        {
            var (status, body, _) = await gateway.GetAsync("web.mesh", $"/{i}");
            Assert.Equal(200, status);
            Assert.Equal("alive", HttpBackend.Parse(body)["backend"]);
        }
        Assert.Contains(gateway.Routes.Health.Values, h => h.Key.StartsWith("web-doomed@", StringComparison.Ordinal) && h.IsOut(Environment.TickCount64));
        Assert.True(gateway.Metrics.For("web.mesh/", "web").Retries.Value >= 1);
    }

    [Fact]
    public async Task InstanceAnswering5xxRepeatedly_IsTakenOut_AndTrafficGoesToTheOther()
    {
        await using var good = await HttpBackend.StartAsync("good");
        await using var bad = await HttpBackend.StartAsync("bad");
        bad.FailWith = 500;
        await using var gateway = await GatewayHarness.StartAsync(o => o.PassiveHealth.Failures = 3);
        await gateway.RegisterAsync("web-good", "web", good);
        await gateway.RegisterAsync("web-bad", "web", bad);

        await Poll.UntilAsync(async () =>
            {
                await gateway.GetAsync("web.mesh");
                return bad.Requests >= 3;
            }, "the bad instance to have failed three times", TimeSpan.FromSeconds(10), Ct);
        var before = bad.Requests;
        for (var i = 0; i < 20; i++) Assert.Equal(200, (await gateway.GetAsync("web.mesh")).Status);

        Assert.Equal(before, bad.Requests);
    }

    [Fact]
    public async Task OnlyInstanceKilled_GetIs502_NotAnEmptyAnswer()
    {
        await using var doomed = await HttpBackend.StartAsync("doomed");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Grace = TimeSpan.FromMilliseconds(200));
        await gateway.RegisterAsync("web-doomed", "web", doomed);
        await doomed.KillAsync();

        var (status, _, _) = await gateway.GetAsync("web.mesh");

        Assert.Equal(502, status);
    }

    [Fact]
    public async Task OnlyInstanceRefusing_RequestWaitsForTheRegistry_AndIsServedByTheReplacement()
    {
        await using var old = await HttpBackend.StartAsync("old");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Grace = TimeSpan.FromSeconds(20));
        await gateway.RegisterAsync("web-old", "web", old);
        // A recreate as Docker does it: the old container is gone before the registry hears of it.
        await old.KillAsync();

        var held = gateway.GetAsync("web.mesh", "/page");
        await Poll.UntilAsync(() => Task.FromResult(gateway.Routes.Health.Values.Any(h => h.Key.StartsWith("web-old@", StringComparison.Ordinal) && h.Failures > 0)),
            "the request to have failed to connect", TimeSpan.FromSeconds(10), Ct);
        Assert.False(held.IsCompleted);
        await using var fresh = await HttpBackend.StartAsync("new");
        await gateway.DeregisterAsync("web-old");
        await gateway.RegisterAsync("web-new", "web", fresh);

        var (status, body, _) = await held;
        Assert.Equal(200, status);
        Assert.Equal("new", HttpBackend.Parse(body)["backend"]);
    }

    [Fact]
    public async Task PostToAKilledInstance_IsNotRetried()
    {
        await using var doomed = await HttpBackend.StartAsync("doomed");
        await using var alive = await HttpBackend.StartAsync("alive");
        await using var gateway = await GatewayHarness.StartAsync(o => o.PassiveHealth.Failures = 100);
        await gateway.RegisterAsync("web-doomed", "web", doomed);
        await doomed.KillAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("order=1") };
        request.Headers.Host = "web.mesh";
        using var response = await gateway.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task VersionCookie_KeepsAClientOnTheVersionOfItsFirstPage()
    {
        await using var blue = await HttpBackend.StartAsync("blue");
        await using var green = await HttpBackend.StartAsync("green");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-blue", "web", blue, version: "1.0");
        await gateway.RegisterAsync("web-green", "web", green, version: "2.0");

        var (_, first, response) = await gateway.GetAsync("web.mesh", "/index.html");
        var version = HttpBackend.Parse(first)["backend"] == "blue" ? "1.0" : "2.0";
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith($"mesh-version.web={version};", cookie);

        for (var i = 0; i < 20; i++)
        {
            var (_, asset, assetResponse) = await gateway.GetAsync("web.mesh", $"/app.js?{i}", r => r.Headers.Add("Cookie", cookie.Split(';')[0]));
            Assert.Equal(HttpBackend.Parse(first)["backend"], HttpBackend.Parse(asset)["backend"]);
            Assert.False(assetResponse.Headers.Contains("Set-Cookie"));
        }
    }

    [Fact]
    public async Task VersionCookie_ForAVersionThatIsGone_MovesTheClientToALiveOne()
    {
        await using var green = await HttpBackend.StartAsync("green");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-green", "web", green, version: "2.0");

        var (status, body, response) = await gateway.GetAsync("web.mesh", "/", r => r.Headers.Add("Cookie", "mesh-version.web=1.0"));

        Assert.Equal(200, status);
        Assert.Equal("green", HttpBackend.Parse(body)["backend"]);
        Assert.StartsWith("mesh-version.web=2.0;", response.Headers.GetValues("Set-Cookie").Single());
    }

    [Fact]
    public async Task EnvironmentHost_ReachesTheEnvironmentsInstance_OrIntegrations()
    {
        await using var integration = await HttpBackend.StartAsync("integration-web");
        await using var feature = await HttpBackend.StartAsync("feature-web");
        await using var redis = await HttpBackend.StartAsync("integration-redis");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("i-web", "web", integration);
        await gateway.RegisterAsync("i-redis", "redis", redis);
        await gateway.RegisterAsync("x-web", "web", feature, env: "feature-x");

        Assert.Equal("feature-web", HttpBackend.Parse((await gateway.GetAsync("web.feature-x.test.mesh")).Body)["backend"]);
        Assert.Equal("integration-redis", HttpBackend.Parse((await gateway.GetAsync("redis.feature-x.test.mesh")).Body)["backend"]);
        Assert.Equal("integration-web", HttpBackend.Parse((await gateway.GetAsync("web.mesh")).Body)["backend"]);
    }

    [Fact]
    public async Task GeneratedRoute_NeverForwardsToMeshsOwnApi()
    {
        await using var api = await HttpBackend.StartAsync("mesh-api");
        await using var gateway = await GatewayHarness.StartAsync(o => o.ApiUrl = $"http://127.0.0.1:{api.Port}");
        await gateway.RegisterAsync("sneaky", "sneaky", api);
        await gateway.RegisterAsync("admin", "admin", api, routes: new RouteSpec("admin.example.com"));

        Assert.Equal(503, (await gateway.GetAsync("sneaky.mesh")).Status);
        Assert.Equal(0, api.Requests);
        // A route that names the API explicitly is the operator's choice.
        Assert.Equal(200, (await gateway.GetAsync("admin.example.com")).Status);
    }
}
