using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Mesh.Registry.Events;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The distributed shape end to end, as processes on loopback: a private PostgreSQL (the shared log), a private
/// RabbitMQ node (the bus), registries, edges and an agent on a private Docker engine — all real, each test on its
/// own database and virtual host.
/// </summary>
public sealed class ClusterTests(PostgresServer postgres, RabbitMqServer rabbit, DockerEngine docker)
    : IClassFixture<PostgresServer>, IClassFixture<RabbitMqServer>, IClassFixture<DockerEngine>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await docker.RemoveAllContainersAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ContainerOnTheAgentsHost_IsRoutedAndAnsweredByBothEdges_AndEachRoleSaysWhatItIs()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit, docker);
        var registries = new[] { await cluster.StartAsync("registry", Ct), await cluster.StartAsync("registry", Ct) };
        var edges = new[] { await cluster.StartAsync("edge", Ct), await cluster.StartAsync("edge", Ct) };
        var agent = await cluster.StartAsync("agent", Ct);

        var port = FreePort.Next();
        var id = await docker.RunHttpdAsync(port, Labels("shop", port, "shop.cluster.test"));

        foreach (var edge in edges)
        {
            using var gateway = new HttpClient { BaseAddress = edge.GatewayAddress, Timeout = TimeSpan.FromSeconds(10) };
            var routed = await Eventually.WaitAsync(() => GetAsync(gateway, "shop.cluster.test"), r => r.Status == 200, Patience,
                $"edge {edge.BaseAddress} to route shop.cluster.test to the container", Ct, cluster.Describe);
            Assert.Equal("ok\n", routed.Body);
            var answer = await Eventually.WaitAsync(() => Dig.RunAsync(edge.DnsPort, ["+short", "shop.service.mesh"], Ct), a => a.Contains("127.0.0.1"),
                Patience, $"edge {edge.BaseAddress} DNS to answer shop.service.mesh", Ct, cluster.Describe);
            Assert.Equal(["127.0.0.1"], answer);
        }

        // Each role says what it is; exactly one registry leads.
        var statuses = new List<JsonObject>();
        foreach (var process in registries.Concat(edges).Append(agent)) statuses.Add(await MeshCluster.StatusAsync(process, Ct));
        Assert.Equal(["registry", "registry", "edge", "edge", "agent"], statuses.Select(s => (string?)s["Role"]));
        Assert.Single(statuses.Take(2), s => (bool?)s["Leader"] == true);
        Assert.All(statuses, s => Assert.True((bool?)s["Store"]!["Reachable"], s.ToJsonString()));
        Assert.All(statuses, s => Assert.True((bool?)s["Bus"]!["Connected"], s.ToJsonString()));

        // The instance came from the agent's Docker source, its source fact carried across the bus.
        var story = (await cluster.ReadLogAsync(Ct)).Where(e => e.Stream.Value == "instance-docker:" + id).ToList();
        var registered = Assert.IsType<InstanceRegistered>(story[0].Event);
        Assert.Equal(("shop", MeshCluster.AgentNode), (registered.Service, registered.Node));
        Assert.EndsWith(":start", story[0].Metadata.SourceFactId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteThroughAnEdge_AnswersOnceAppended_AndWithNoRegistry503NeverAFalse200()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit);
        var registry = await cluster.StartAsync("registry", Ct);
        var edges = new[] { await cluster.StartAsync("edge", Ct), await cluster.StartAsync("edge", Ct) };

        using (var put = await edges[0].Client.RegisterAsync("""{"ID":"api-1","Name":"api","Address":"127.0.0.1","Port":8081}""", Ct))
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync(Ct)}{cluster.Describe()}");
        Assert.Contains(await cluster.ReadLogAsync(Ct), e => e.Event is InstanceRegistered { Service: "api" });
        // Read your write on the edge that took it, and soon on the other.
        Assert.Contains("api-1", await edges[0].Client.CatalogServiceIdsAsync("api", Ct));
        await Eventually.WaitAsync(() => edges[1].Client.CatalogServiceIdsAsync("api", Ct), ids => ids.Contains("api-1"), Patience,
            "the other edge to list api-1", Ct, cluster.Describe);

        await registry.StopAsync(Patience);
        var head = await cluster.ReadHeadAsync(Ct);
        using var refused = await edges[0].Client.RegisterAsync("""{"ID":"api-2","Name":"api","Address":"127.0.0.1","Port":8082}""", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("registry", await refused.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        // Edges keep serving reads with no registry.
        Assert.Contains("api-1", await edges[1].Client.CatalogServiceIdsAsync("api", Ct));

        // The refused write was not appended behind the client's back once a registry returns... unless RabbitMQ still
        // held it: then it is decided, and appended once. Either way, it is never lost half-way.
        await cluster.StartAsync("registry", Ct);
        using (var again = await edges[1].Client.RegisterAsync("""{"ID":"api-3","Name":"api","Address":"127.0.0.1","Port":8083}""", Ct))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var registrations = (await cluster.ReadLogAsync(Ct)).Where(e => e.Position > head && e.Event is InstanceRegistered).ToList();
        Assert.Contains(registrations, e => ((InstanceRegistered)e.Event).InstanceId.EndsWith("api-3", StringComparison.Ordinal));
        Assert.True(registrations.Count(e => ((InstanceRegistered)e.Event).InstanceId.EndsWith("api-2", StringComparison.Ordinal)) <= 1);
    }

    [Fact]
    public async Task LeaderKilled_TheOtherRegistryTakesOver_AndEveryAcknowledgedWriteIsInTheLog()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit);
        var registries = new[] { await cluster.StartAsync("registry", Ct), await cluster.StartAsync("registry", Ct) };
        var edge = await cluster.StartAsync("edge", Ct);
        var leader = await Eventually.WaitAsync(() => LeaderAsync(registries), l => l is not null, Patience, "a leader", Ct, cluster.Describe);

        // Churn through the edge while the leader dies; every write that answered 200 must be in the log.
        var acknowledged = new List<string>();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                using var put = await edge.Client.RegisterAsync($$$"""{"ID":"churn-{{{i}}}","Name":"churn","Address":"127.0.0.1","Port":{{{9000 + i}}},"Check":{"TTL":"30s"}}""", Ct);
                if (put.StatusCode == HttpStatusCode.OK) lock (acknowledged) acknowledged.Add($"churn-{i}");
            }
        }, Ct);
        await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), n => n >= 10, Patience, "ten acknowledged writes", Ct, cluster.Describe);
        await leader!.KillAsync();
        await writes;

        var survivor = registries.Single(r => r != leader);
        await Eventually.WaitAsync(() => MeshCluster.StatusAsync(survivor, Ct), s => (bool?)s["Leader"] == true, TimeSpan.FromSeconds(30),
            "the surviving registry to lead", Ct, cluster.Describe);
        var log = await cluster.ReadLogAsync(Ct);
        var inLog = log.Select(e => e.Event).OfType<InstanceRegistered>().Select(r => r.InstanceId).ToHashSet(StringComparer.Ordinal);
        Assert.All(acknowledged, id => Assert.Contains(inLog, i => i.EndsWith(id, StringComparison.Ordinal)));
        // Health checks continue on the new leader: a TTL check registered now, passing, and never refreshed goes critical.
        using (var put = await edge.Client.RegisterAsync("""{"ID":"ttl-after","Name":"ttl","Port":9999,"Check":{"CheckID":"ttl-after-check","TTL":"2s","Status":"passing"}}""", Ct))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Eventually.WaitAsync(() => cluster.ReadLogAsync(Ct),
            l => l.Any(e => e.Event is InstanceHealthChanged { Status: HealthStatus.Critical } h && h.InstanceId.EndsWith("ttl-after", StringComparison.Ordinal)),
            Patience, "the new leader's health checker to expire the TTL check", Ct, cluster.Describe);
    }

    [Fact]
    public async Task TtlBeatsThroughAnEdge_KeepTheCheckAlive_OnTheLeadingRegistry_UntilTheyStop()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit);
        var registries = new[] { await cluster.StartAsync("registry", Ct), await cluster.StartAsync("registry", Ct) };
        var edge = await cluster.StartAsync("edge", Ct);
        // The leader's health checker runs the TTL clock; the edge only takes the beats.
        await Eventually.WaitAsync(() => LeaderAsync(registries), l => l is not null, Patience, "a leader", Ct, cluster.Describe);
        using (var put = await edge.Client.RegisterAsync(
            """{"ID":"beating","Name":"beating","Port":9998,"Check":{"CheckID":"beating-ttl","TTL":"3s","Status":"passing"}}""", Ct))
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync(Ct)}{cluster.Describe()}");

        // Beat through the edge's Consul API about once a second (three beats per TTL) for ten seconds. The delay
        // is the client's heartbeat cadence, i.e. the behaviour under test, not a wait for the cluster to settle.
        var beating = System.Diagnostics.Stopwatch.StartNew();
        var beats = 0;
        while (beating.Elapsed < TimeSpan.FromSeconds(10))
        {
            using (var pass = await edge.Client.PutAsync("/v1/agent/check/pass/beating-ttl", null, Ct))
                Assert.True(pass.StatusCode == HttpStatusCode.OK, $"beat {beats}: {(int)pass.StatusCode} {await pass.Content.ReadAsStringAsync(Ct)}{cluster.Describe()}");
            beats++;
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        }
        var stopped = await cluster.ReadHeadAsync(Ct);

        // Over three TTLs went by: the leader heard every beat, so the check never expired.
        Assert.DoesNotContain(await cluster.ReadLogAsync(Ct), e => IsCritical(e.Event));
        Assert.True(beats >= 8, $"only {beats} beats in {beating.Elapsed}");

        // No more beats: the leader's clock runs, and the check goes critical about a TTL later.
        var expired = await Eventually.WaitAsync(() => cluster.ReadLogAsync(Ct), l => l.Any(e => e.Position > stopped && IsCritical(e.Event)),
            Patience, "the leader to expire the TTL check once the beats stopped", Ct, cluster.Describe);
        var critical = (InstanceHealthChanged)expired.First(e => IsCritical(e.Event)).Event;
        Assert.Equal("beating-ttl", critical.CheckId);
        Assert.StartsWith("TTL expired", critical.Output, StringComparison.Ordinal);

        static bool IsCritical(IEvent e) =>
            e is InstanceHealthChanged { Status: HealthStatus.Critical } h && h.InstanceId.EndsWith("beating", StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistriesStopped_ObservationsWaitInRabbitMq_AndAreDecidedWhenOneReturns()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit, docker);
        var registry = await cluster.StartAsync("registry", Ct);
        var edge = await cluster.StartAsync("edge", Ct);
        await cluster.StartAsync("agent", Ct);
        await registry.StopAsync(Patience);

        var ports = new[] { FreePort.Next(), FreePort.Next() };
        var ids = new List<string>();
        foreach (var port in ports) ids.Add(await docker.RunHttpdAsync(port, Labels("queued", port, null)));
        // Nothing decides them meanwhile.
        Assert.DoesNotContain(await cluster.ReadLogAsync(Ct), e => e.Event is InstanceRegistered { Service: "queued" });

        await cluster.StartAsync("registry", Ct);
        await Eventually.WaitAsync(() => edge.Client.CatalogServiceIdsAsync("queued", Ct), s => ids.All(id => s.Contains("docker:" + id)), Patience,
            "both queued containers registered", Ct, cluster.Describe);
    }

    [Fact]
    public async Task EdgeKilledAndRestarted_CatchesUpFromItsCheckpoint_NotFromZero()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit);
        await cluster.StartAsync("registry", Ct, extra: new Dictionary<string, string?> { ["MESH__PROJECTIONS__SNAPSHOTEVERY"] = "5" });
        var writer = await cluster.StartAsync("edge", Ct);
        var edge = await cluster.StartAsync("edge", Ct, extra: new Dictionary<string, string?> { ["MESH__PROJECTIONS__SNAPSHOTEVERY"] = "5" });
        for (var i = 0; i < 12; i++)
            using (var put = await writer.Client.RegisterAsync($$"""{"ID":"before-{{i}}","Name":"before","Port":{{7000 + i}}}""", Ct))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await cluster.WaitCaughtUpAsync(edge, Ct);
        await edge.KillAsync();

        for (var i = 0; i < 3; i++)
            using (var put = await writer.Client.RegisterAsync($$"""{"ID":"during-{{i}}","Name":"during","Port":{{7100 + i}}}""", Ct))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var restarted = await cluster.StartAsync("edge", Ct, dataDir: edge.DataDir);
        await Eventually.WaitAsync(() => restarted.Client.CatalogServiceIdsAsync("during", Ct), s => s.Count == 3, Patience,
            "the restarted edge to see what was written while it was down", Ct, cluster.Describe);
        // "caught up from position N to M": N is its checkpoint, not zero.
        var caughtUp = restarted.StandardOutput.Split('\n').First(l => l.Contains("caught up from position", StringComparison.Ordinal));
        Assert.DoesNotContain("from position 0 ", caughtUp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresDown_EdgesKeepServing_EvenAfterARestart_ThenCatchUp()
    {
        await using var cluster = await MeshCluster.CreateAsync(postgres, rabbit);
        await cluster.StartAsync("registry", Ct);
        var edge = await cluster.StartAsync("edge", Ct);
        await using var backend = await HttpBackend.StartAsync("web-1");
        using (var put = await edge.Client.RegisterAsync($$"""{"ID":"web-1","Name":"web","Address":"127.0.0.1","Port":{{backend.Port}}}""", Ct))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var gateway = new HttpClient { BaseAddress = edge.GatewayAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.WaitAsync(() => GetAsync(gateway, "web.mesh"), r => r.Status == 200, Patience, "the route to web-1", Ct, cluster.Describe);

        await postgres.StopAsync();
        try
        {
            await Eventually.WaitAsync(() => MeshCluster.StatusAsync(edge, Ct), s => (bool?)s["Store"]!["Reachable"] == false, Patience,
                "the edge to report the store unreachable", Ct, cluster.Describe);
            // Still routing and answering DNS from the last state it has.
            Assert.Equal(200, (await GetAsync(gateway, "web.mesh")).Status);
            Assert.Equal(["127.0.0.1"], await Dig.RunAsync(edge.DnsPort, ["+short", "web.service.mesh"], Ct));

            // Restarted while the store is still down, it serves its checkpoint.
            Assert.Equal(0, await edge.StopAsync(Patience));
            edge = await cluster.StartAsync("edge", Ct, dataDir: edge.DataDir);
            using var again = new HttpClient { BaseAddress = edge.GatewayAddress, Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.WaitAsync(() => GetAsync(again, "web.mesh"), r => r.Status == 200, Patience,
                "the restarted edge to route from its checkpoint", Ct, cluster.Describe);
            Assert.Equal(["127.0.0.1"], await Dig.RunAsync(edge.DnsPort, ["+short", "web.service.mesh"], Ct));
        }
        finally
        {
            await postgres.StartAsync();
        }
        await Eventually.WaitAsync(() => MeshCluster.StatusAsync(edge, Ct), s => (bool?)s["Store"]!["Reachable"] == true, Patience,
            "the edge to reach the store again", Ct, cluster.Describe);
        await Eventually.WaitAsync(async () => (await edge.Client.RegisterAsync("""{"ID":"after","Name":"after","Port":7300}""", Ct)).StatusCode,
            s => s == HttpStatusCode.OK, Patience, "a write after the restart", Ct, cluster.Describe);
        Assert.Contains("after", await edge.Client.CatalogServiceIdsAsync("after", Ct));
    }

    private static async Task<MeshProcess?> LeaderAsync(IEnumerable<MeshProcess> registries)
    {
        foreach (var registry in registries)
            if ((bool?)(await MeshCluster.StatusAsync(registry, Ct))["Leader"] == true) return registry;
        return null;
    }

    private static async Task<(int Status, string Body)> GetAsync(HttpClient gateway, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        try
        {
            using var response = await gateway.SendAsync(request, Ct);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.Message);
        }
    }

    private static Dictionary<string, string> Labels(string service, int port, string? host)
    {
        var labels = new Dictionary<string, string> { ["mesh.service"] = service, ["mesh.port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (host is not null) labels["mesh.route.host"] = host;
        return labels;
    }
}
