using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The real <c>mesh</c> process answering real <c>dig</c> (bind9-dnsutils): services registered through the Consul
/// API, a check going critical and passing again, and views per environment on listeners of their own.
/// </summary>
public sealed class DnsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dig_gets_A_and_SRV_answers_and_a_critical_instance_is_gone_once_status_shows_the_dns_past_it()
    {
        using var dir = new TempDirectory();
        await using var mesh = MeshProcess.Start(dir.Path);
        await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(30), Ct);
        await RegisterAsync(mesh, "web-1", "web", "10.1.0.1", 8001);
        await RegisterAsync(mesh, "web-2", "web", "10.1.0.2", 8002, check: new JsonObject { ["CheckID"] = "web-2-ttl", ["TTL"] = "1h", ["Status"] = "passing" });
        await WaitForDnsAtHeadAsync(mesh);

        Assert.Equal(["10.1.0.1", "10.1.0.2"], Sorted(await DigAsync(mesh.DnsPort, "+short", "web.service.mesh")));
        var srv = await DigAsync(mesh.DnsPort, "+noall", "+answer", "+additional", "SRV", "_web._tcp.service.mesh");
        output.WriteLine(string.Join('\n', srv));
        Assert.Contains(srv, l => l.StartsWith("_web._tcp.service.mesh.", StringComparison.Ordinal) && l.EndsWith("SRV\t1 1 8001 0a010001.addr.mesh.", StringComparison.Ordinal));
        Assert.Contains(srv, l => l.StartsWith("_web._tcp.service.mesh.", StringComparison.Ordinal) && l.EndsWith("SRV\t1 1 8002 0a010002.addr.mesh.", StringComparison.Ordinal));
        Assert.Contains(srv, l => l.StartsWith("0a010002.addr.mesh.", StringComparison.Ordinal) && l.EndsWith("A\t10.1.0.2", StringComparison.Ordinal));

        await PutAsync(mesh, "/v1/agent/check/fail/web-2-ttl");
        await WaitForDnsAtHeadAsync(mesh);
        Assert.Equal(["10.1.0.1"], await DigAsync(mesh.DnsPort, "+short", "web.service.mesh"));
        Assert.DoesNotContain(await DigAsync(mesh.DnsPort, "+short", "SRV", "_web._tcp.service.mesh"), l => l.Contains(" 8002 ", StringComparison.Ordinal));

        await PutAsync(mesh, "/v1/agent/check/pass/web-2-ttl");
        await WaitForDnsAtHeadAsync(mesh);
        Assert.Equal(["10.1.0.1", "10.1.0.2"], Sorted(await DigAsync(mesh.DnsPort, "+short", "web.service.mesh")));

        // Not an open resolver, and the answers are counted.
        Assert.Contains(await DigAsync(mesh.DnsPort, "example.com"), l => l.Contains("status: REFUSED", StringComparison.Ordinal));
        var metrics = await mesh.Client.GetStringAsync("/metrics", Ct);
        Assert.Matches("""mesh_dns_queries_total\{type="A",rcode="NOERROR",transport="udp"\} [1-9]""", metrics);
        Assert.Matches("""mesh_dns_queries_total\{type="SRV",rcode="NOERROR",transport="udp"\} [1-9]""", metrics);
        Assert.Matches("""mesh_dns_queries_total\{type="A",rcode="REFUSED",transport="udp"\} [1-9]""", metrics);
        Assert.Matches("""mesh_dns_answer_duration_seconds_count\{transport="udp"\} [1-9]""", metrics);
    }

    [Fact]
    public async Task Each_environment_view_answers_its_own_redis_and_one_without_redis_falls_back_to_integration()
    {
        using var dir = new TempDirectory();
        var featureX = FreePort.Next();
        var featureY = FreePort.Next();
        var staging = FreePort.Next();
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?>
        {
            ["MESH__DNS__VIEWS__FEATURE-X__PORT"] = featureX.ToString(CultureInfo.InvariantCulture),
            ["MESH__DNS__VIEWS__FEATURE-Y__PORT"] = featureY.ToString(CultureInfo.InvariantCulture),
            ["MESH__DNS__VIEWS__STAGING__PORT"] = staging.ToString(CultureInfo.InvariantCulture),
        });
        await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(30), Ct);
        await RegisterAsync(mesh, "redis-integration", "redis", "10.2.0.1", 6379);
        await RegisterAsync(mesh, "redis-x", "redis", "10.2.0.2", 6379, env: "feature-x");
        await RegisterAsync(mesh, "redis-y", "redis", "10.2.0.3", 6379, env: "feature-y");
        await RegisterAsync(mesh, "web-staging", "web", "10.2.0.9", 80, env: "staging");
        await WaitForDnsAtHeadAsync(mesh);

        Assert.Equal(["10.2.0.2"], await DigAsync(featureX, "+short", "redis.service.mesh"));
        Assert.Equal(["10.2.0.3"], await DigAsync(featureY, "+short", "redis.service.mesh"));
        Assert.Equal(["10.2.0.1"], await DigAsync(staging, "+short", "redis.service.mesh"));
        Assert.Equal(["10.2.0.1"], await DigAsync(mesh.DnsPort, "+short", "redis.service.mesh"));

        // An environment named explicitly, from any view; and its wildcard test domain, which resolves to the gateway.
        Assert.Equal(["10.2.0.2"], await DigAsync(mesh.DnsPort, "+short", "redis.service.feature-x.mesh"));
        Assert.Equal(["127.0.0.1"], await DigAsync(mesh.DnsPort, "+short", "anything.feature-x.test.mesh"));
        Assert.Contains(await DigAsync(mesh.DnsPort, "anything.nowhere.test.mesh"), l => l.Contains("status: NXDOMAIN", StringComparison.Ordinal));
    }

    private static async Task RegisterAsync(MeshProcess mesh, string id, string service, string address, int port, string? env = null, JsonObject? check = null)
    {
        var body = new JsonObject { ["ID"] = id, ["Name"] = service, ["Address"] = address, ["Port"] = port };
        if (env is not null) body["Meta"] = new JsonObject { ["mesh-env"] = env };
        if (check is not null) body["Check"] = check;
        using var response = await mesh.Client.RegisterAsync(body, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"register {id} answered {(int)response.StatusCode}{mesh.Describe()}");
    }

    private static async Task PutAsync(MeshProcess mesh, string path)
    {
        using var response = await mesh.Client.PutAsync(path, null, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {path} answered {(int)response.StatusCode}{mesh.Describe()}");
    }

    private static Task WaitForDnsAtHeadAsync(MeshProcess mesh) =>
        Eventually.WaitAsync(
            () => mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", Ct),
            s => s.Body["Dns"] is { } dns && (long)dns["Position"]! >= (long)s.Body["StoreHead"]!,
            Patience, "the DNS to reach the store head", Ct, mesh.Describe);

    private static string[] Sorted(string[] lines) => [.. lines.Order(StringComparer.Ordinal)];

    private Task<string[]> DigAsync(int port, params string[] arguments) => Dig.RunAsync(port, arguments, Ct, output.WriteLine);
}
