using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The real <c>mesh</c> process following a real Docker engine (one per class, emptied before each test) through
/// <c>MESH__SOURCES__DOCKER__*</c>: containers run with <c>--network host</c> and <c>mesh.port</c>, and are found
/// through the Consul API. What was recorded, and why, is read from the event log once Mesh has stopped.
/// </summary>
public sealed class DockerSourceTests(DockerEngine engine) : IClassFixture<DockerEngine>, IAsyncLifetime
{
    private const string Node = "e2e-docker-node";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await engine.RemoveAllContainersAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task DockerRun_WithServiceLabel_AppearsInHealthService_AndDockerStop_RemovesItWithTheExitCodeRecorded()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Next();
        string id;
        await using (var mesh = await StartMeshAsync(dir.Path))
        {
            id = await engine.RunHttpdAsync(port, Labels("web", port));

            var entries = await Eventually.WaitAsync(
                () => mesh.Client.HealthServiceAsync("web", passing: true, Ct),
                a => a.Any(e => ServiceId(e) == Instance(id)), Wait, "the container in /v1/health/service/web?passing", Ct, mesh.Describe);
            var service = entries.Single(e => ServiceId(e) == Instance(id))!["Service"]!;
            Assert.Equal("127.0.0.1", (string?)service["Address"]);
            Assert.Equal(port, (int?)service["Port"]);
            using (var http = new HttpClient())
                Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.1:{port}/", Ct)); // the address really serves

            await engine.StopAsync(id);
            await Eventually.WaitAsync(
                () => mesh.Client.HealthServiceAsync("web", passing: false, Ct),
                a => a.All(e => ServiceId(e) != Instance(id)), Wait, "the container gone from /v1/health/service/web", Ct, mesh.Describe);
            await mesh.StopAsync(Wait);
        }

        var story = (await EventLog.ReadAsync(dir.Path, Ct)).Of(Instance(id));
        var registered = Assert.IsType<InstanceRegistered>(story[0].Event);
        Assert.Equal(("web", "docker", Node), (registered.Service, registered.Source, registered.Node));
        Assert.EndsWith(":start", story[0].Metadata.SourceFactId, StringComparison.Ordinal);
        var gone = Assert.IsType<InstanceDeregistered>(story[^1].Event);
        Assert.Equal("exit 143", gone.Reason); // SIGTERM from docker stop, forwarded by --init to httpd
        Assert.EndsWith(":die", story[^1].Metadata.SourceFactId, StringComparison.Ordinal);
        Assert.Contains(id, story[^1].Metadata.RawPayload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerRun_WithRouteLabels_IsRoutedByTheGateway_AndDockerStop_UnroutesIt()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Next();
        await using var mesh = await StartMeshAsync(dir.Path);
        using var gateway = new HttpClient { BaseAddress = mesh.GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };
        var labels = Labels("shop", port);
        labels["mesh.route.host"] = "shop.example.com";
        labels["mesh.route.path"] = "/api";
        labels["mesh.route.strip-prefix"] = "true";

        var id = await engine.RunHttpdAsync(port, labels);
        // /api/ reaches the container as /, which busybox httpd serves.
        var routed = await Eventually.WaitAsync(() => ShopAsync(gateway), r => r.Status == 200, Wait, "the route to the container", Ct, mesh.Describe);
        Assert.Equal("ok\n", routed.Body);

        await engine.StopAsync(id);
        var gone = await Eventually.WaitAsync(() => ShopAsync(gateway), r => r.Status != 200, Wait, "the route gone with the container", Ct, mesh.Describe);
        Assert.Equal(404, gone.Status);
    }

    private static async Task<(int Status, string Body)> ShopAsync(HttpClient gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/");
        request.Headers.Host = "shop.example.com";
        using var response = await gateway.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ContainersKilledOrStartedWhileMeshIsDown_AreDeregisteredAndRegisteredWhenItComesBack()
    {
        using var dir = new TempDirectory();
        string killed, kept, started;
        await using (var mesh = await StartMeshAsync(dir.Path))
        {
            killed = await engine.RunSleeperAsync(Labels("down-killed", 8001));
            kept = await engine.RunSleeperAsync(Labels("down-kept", 8002));
            await UntilRegistryMatchesDockerPsAsync(mesh);
            await mesh.StopAsync(Wait);
        }

        await engine.KillAsync(killed);
        started = await engine.RunSleeperAsync(Labels("down-started", 8003));

        await using (var mesh = await StartMeshAsync(dir.Path))
        {
            var ids = await UntilRegistryMatchesDockerPsAsync(mesh);
            Assert.Equal(new[] { kept, started }.Order(), ids.Order());
            var metrics = await mesh.Client.GetStringAsync("/metrics", Ct);
            Assert.Contains("mesh_source_reconcile_fixed_total{source=\"docker\"} 2", metrics, StringComparison.Ordinal);
            await mesh.StopAsync(Wait);
        }

        var log = await EventLog.ReadAsync(dir.Path, Ct);
        Assert.Equal("reconcile", Assert.IsType<InstanceDeregistered>(log.Of(Instance(killed))[^1].Event).Reason);
        Assert.Single(log.Of(Instance(kept)), e => e.Event is InstanceRegistered);
        Assert.DoesNotContain(log.Of(Instance(kept)), e => e.Event is InstanceDeregistered);
        Assert.IsType<InstanceRegistered>(Assert.Single(log.Of(Instance(started))).Event);
        var comeBack = log.Select(e => e.Event).OfType<SourceReconciled>().Last();
        Assert.Equal(("connect", 2, 1, 1),
            (comeBack.Trigger, comeBack.Running, comeBack.Registered, comeBack.Deregistered));
    }

    [Fact]
    public async Task EngineRestartedUnderRunningMesh_SourceReconnects_SurvivorsAreUntouched_AndOneKilledMeanwhileIsGone()
    {
        using var dir = new TempDirectory();
        string first, second, victim;
        await using (var mesh = await StartMeshAsync(dir.Path))
        {
            first = await engine.RunSleeperAsync(Labels("restart-a", 8011));
            second = await engine.RunSleeperAsync(Labels("restart-b", 8012));
            victim = await engine.RunSleeperAsync(Labels("restart-victim", 8013));
            await UntilRegistryMatchesDockerPsAsync(mesh);
            var victimPid = await engine.PidOfAsync(victim);

            await engine.StopEngineAsync();
            System.Diagnostics.Process.GetProcessById(victimPid).Kill(); // SIGKILL while the engine is down
            await engine.StartEngineAsync();

            var ids = await UntilRegistryMatchesDockerPsAsync(mesh);
            Assert.Equal(new[] { first, second }.Order(), ids.Order());
            var docker = await DockerStatusAsync(mesh);
            Assert.True((bool)docker["Connected"]!);
            Assert.True((long)docker["Reconciles"]! >= 2, docker.ToJsonString());
            await mesh.StopAsync(Wait);
        }

        var log = await EventLog.ReadAsync(dir.Path, Ct);
        foreach (var survivor in new[] { first, second })
        {
            Assert.Single(log.Of(Instance(survivor)), e => e.Event is InstanceRegistered);
            Assert.DoesNotContain(log.Of(Instance(survivor)), e => e.Event is InstanceDeregistered);
        }
        Assert.IsType<InstanceDeregistered>(log.Of(Instance(victim))[^1].Event);
        Assert.Equal(2, log.Select(e => e.Event).OfType<SourceReconciled>().Count(r => r.Trigger == "connect"));
    }

    [Fact]
    public async Task BurstOf50ContainersStartedAndHalfStopped_RegistryMatchesDockerPs_AndTheLogTellsEachStoryInOrder()
    {
        const int Containers = 50;
        using var dir = new TempDirectory();
        var ids = new string[Containers];
        await using (var mesh = await StartMeshAsync(dir.Path))
        {
            // Start all; stop every other one as soon as it has started, while the rest are still starting.
            await Parallel.ForEachAsync(Enumerable.Range(0, Containers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
                async (i, _) =>
                {
                    ids[i] = await engine.RunSleeperAsync(Labels("burst", 9000 + i));
                    if (i % 2 == 0) await engine.StopAsync(ids[i]);
                });

            var registered = await UntilRegistryMatchesDockerPsAsync(mesh);
            Assert.Equal(Containers / 2, registered.Count);
            await mesh.StopAsync(Wait);
        }

        var log = await EventLog.ReadAsync(dir.Path, Ct);
        for (var i = 0; i < Containers; i++)
        {
            var story = log.Of(Instance(ids[i])).Select(e => e.Event).Where(e => e is not InstanceHealthChanged).ToArray();
            var expected = i % 2 == 0 ? new[] { "InstanceRegistered", "InstanceDeregistered" } : ["InstanceRegistered"];
            Assert.True(expected.SequenceEqual(story.Select(e => e.GetType().Name)),
                $"container {i} ({ids[i][..12]}): {string.Join(", ", story.Select(e => e.ToString()))}");
            // 143 (SIGTERM) as a rule; a stop that beats docker-init's start of the command exits otherwise.
            if (i % 2 == 0) Assert.StartsWith("exit ", ((InstanceDeregistered)story[^1]).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnreachableEngine_MeshServesOn_LogsItOnce_AndStatusSaysWhy()
    {
        using var dir = new TempDirectory();
        var missing = $"unix://{dir.Path}/no-engine.sock";
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?>
        {
            ["MESH__SOURCES__DOCKER__ENDPOINT"] = missing,
            ["MESH__SOURCES__DOCKER__MAXBACKOFF"] = "00:00:00.100",
        });
        await mesh.WaitHealthyAsync(Wait, Ct);

        var docker = await Eventually.WaitAsync(() => DockerStatusAsync(mesh), d => (long)d["Failures"]! >= 5, Wait,
            "five failed connection attempts", Ct, mesh.Describe);
        Assert.False((bool)docker["Connected"]!);
        Assert.False(string.IsNullOrEmpty((string?)docker["LastError"]));
        using var register = await mesh.Client.RegisterAsync("""{"Name":"still-served","Port":80}""", Ct);
        register.EnsureSuccessStatusCode();
        var output = mesh.StandardOutput;
        Assert.Equal(1, Occurrences(output, "is unreachable"));
        Assert.Contains(missing, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidDockerSettings_MeshRefusesToStart_NamingEachKey()
    {
        using var dir = new TempDirectory();
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?>
        {
            ["MESH__SOURCES__DOCKER__ENDPOINT"] = "http://docker:2375",
            ["MESH__SOURCES__DOCKER__TLSCAFILE"] = Path.Combine(dir.Path, "missing-ca.pem"),
        });
        var code = await mesh.WaitForExitAsync(Wait);
        Assert.True(code == 2, $"exit code {code}{mesh.Describe()}");
        Assert.Contains("Mesh:Sources:Docker:Endpoint must be unix://", mesh.StandardError, StringComparison.Ordinal);
        Assert.Contains("Mesh:Sources:Docker:TlsCaFile", mesh.StandardError, StringComparison.Ordinal);
    }

    private async Task<MeshProcess> StartMeshAsync(string dataDir)
    {
        var mesh = MeshProcess.Start(dataDir, new Dictionary<string, string?>
        {
            ["MESH__SOURCES__DOCKER__ENDPOINT"] = engine.Endpoint,
            ["MESH__SOURCES__DOCKER__HOSTADDRESS"] = "127.0.0.1",
            ["MESH__SOURCES__DOCKER__NODE"] = Node,
            ["MESH__SOURCES__DOCKER__MAXBACKOFF"] = "00:00:00.500",
        });
        try
        {
            await mesh.WaitHealthyAsync(Wait, Ct);
            // Following the engine (its connect reconcile done) before the test starts containers.
            await Eventually.WaitAsync(() => DockerStatusAsync(mesh), d => (long)d["Reconciles"]! >= 1, Wait,
                "the Docker source's first reconcile", Ct, mesh.Describe);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the containers Mesh holds for this node are exactly <c>docker ps</c>; returns their ids.</summary>
    private async Task<IReadOnlySet<string>> UntilRegistryMatchesDockerPsAsync(MeshProcess mesh)
    {
        IReadOnlySet<string> running = new HashSet<string>();
        var registered = await Eventually.WaitAsync(
            async () =>
            {
                running = await engine.RunningIdsAsync();
                return (await mesh.Client.AgentServiceIdsAsync(Ct))
                    .Where(s => s.StartsWith("docker:", StringComparison.Ordinal))
                    .Select(s => s["docker:".Length..])
                    .ToHashSet(StringComparer.Ordinal);
            },
            ids => ids.SetEquals(running), Wait, "the registry to match docker ps", Ct,
            () => $" (docker ps: {string.Join(", ", running.Select(r => r[..12]))}){mesh.Describe()}");
        return registered;
    }

    private static async Task<JsonObject> DockerStatusAsync(MeshProcess mesh) =>
        (await mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", Ct)).Body["Sources"]!["docker"]!.AsObject();

    private static Dictionary<string, string> Labels(string service, int port) =>
        new() { ["mesh.service"] = service, ["mesh.port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static string Instance(string containerId) => "docker:" + containerId;

    private static string? ServiceId(JsonNode? entry) => (string?)entry?["Service"]?["ID"];

    private static int Occurrences(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
