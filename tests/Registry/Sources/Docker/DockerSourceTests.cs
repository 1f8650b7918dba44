using Mesh.Registry.Events;
using Mesh.Registry.Sources.Docker;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging;
using Xunit;
using static Mesh.Registry.Tests.Sources.Docker.DockerSourceTestBed;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// The Docker source against a real engine (one per class, emptied before each test): what each kind of container
/// event does to the registry. Containers run with host networking and a <c>mesh.port</c> label.
/// </summary>
public sealed class DockerSourceTests(DockerEngine engine) : IClassFixture<DockerEngine>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await engine.RemoveAllContainersAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dictionary<string, string> Web(string service, string port = "8080") =>
        new() { ["mesh.service"] = service, ["mesh.port"] = port };

    [Fact]
    public async Task GarbageLabels_NonNumericPortOrEmptyName_AreRejectedOnceWithTheReason_WhileOtherContainersKeepFlowing()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync(o => o.ReconcileInterval = TimeSpan.FromMilliseconds(300));

        var bad = await engine.RunSleeperAsync(Web("garbage", port: "abc"));
        var nameless = await engine.RunSleeperAsync(Web("", port: "8080"));
        var good = await engine.RunSleeperAsync(Web("fine"));
        await bed.UntilRegisteredAsync(good);
        await bed.UntilAsync(async () => (await bed.EventsAsync(bad)).OfType<ObservationRejected>().Any(), "the rejection");
        await bed.UntilAsync(async () => (await bed.EventsAsync(nameless)).OfType<ObservationRejected>().Any(), "the nameless rejection");

        // Periodic passes, then a restart of the source (whose connect reconcile inspects everything again).
        await bed.UntilReconciledAgainAsync();
        await bed.UntilReconciledAgainAsync();
        await bed.StopAsync();
        await bed.StartAsync(o => o.ReconcileInterval = TimeSpan.FromMilliseconds(300));
        await bed.UntilReconciledAgainAsync();

        var rejection = Assert.Single((await bed.EventsAsync(bad)).OfType<ObservationRejected>());
        Assert.Contains("abc", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal("docker", rejection.Source);
        Assert.Contains("mesh.port", rejection.RawPayload, StringComparison.Ordinal);
        Assert.Null(bed.View.Find(InstanceId(bad)));
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single((await bed.EventsAsync(nameless)).OfType<ObservationRejected>()).Reason));
        Assert.Null(bed.View.Find(InstanceId(nameless)));
        Assert.NotNull(bed.View.Find(InstanceId(good)));
        Assert.Equal(2, bed.Status.Current.LastReconcile!.Rejected);
    }

    [Fact]
    public async Task KillWithASignalOnly_DeregistersNothing()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        var container = await engine.RunSleeperAsync(Web("hup"));
        await bed.UntilRegisteredAsync(container);

        await engine.KillAsync(container, "HUP");
        // Events are handled in order: once a container started after the kill is registered, the kill was handled.
        var marker = await engine.RunSleeperAsync(Web("marker"));
        await bed.UntilRegisteredAsync(marker);

        Assert.Contains(container, await engine.RunningIdsAsync());
        Assert.NotNull(bed.View.Find(InstanceId(container)));
        Assert.DoesNotContain(await bed.EventsAsync(container), e => e is InstanceDeregistered);
    }

    [Fact]
    public async Task KillWithTerm_DeregistersWithTheExitCode()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        var container = await engine.RunSleeperAsync(Web("term"));
        await bed.UntilRegisteredAsync(container);

        await engine.KillAsync(container, "TERM");
        await bed.UntilAsync(() => bed.View.Find(InstanceId(container)) is null, "the instance gone");

        var events = await bed.EventsAsync(container);
        Assert.IsType<InstanceRegistered>(events[0]);
        var gone = Assert.IsType<InstanceDeregistered>(events[^1]);
        Assert.Equal("exit 143", gone.Reason);
        Assert.Single(events.OfType<InstanceDeregistered>());
    }

    [Fact]
    public async Task OutOfMemory_DeregistersWithReasonOom()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        // A shell that doubles a string until the 6 MB memory limit has the kernel kill it.
        var container = await engine.RunAsync(Web("hungry"), ["/bin/sh", "-c", "x=0123456789; while true; do x=$x$x; done"],
            "--memory", "6m", "--memory-swap", "6m");

        await bed.UntilAsync(async () => (await bed.EventsAsync(container)).Any(e => e is InstanceDeregistered), "the instance deregistered");
        var events = await bed.EventsAsync(container);
        Assert.IsType<InstanceRegistered>(events[0]);
        Assert.Equal("oom", Assert.IsType<InstanceDeregistered>(events[^1]).Reason);
    }

    [Fact]
    public async Task Pause_MakesTheInstanceCriticalWithOutputPaused_AndUnpauseMakesItPassing()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        var container = await engine.RunSleeperAsync(Web("pausable"));
        var registered = await bed.UntilRegisteredAsync(container);
        Assert.Equal(HealthStatus.Passing, registered.Status);

        await engine.PauseAsync(container);
        var paused = await bed.UntilRegisteredAsync(container, s => s.Status == HealthStatus.Critical, "the instance critical");
        Assert.Equal("paused", paused.Checks[ContainerChecks.State].Output);

        await engine.UnpauseAsync(container);
        await bed.UntilRegisteredAsync(container, s => s.Status == HealthStatus.Passing, "the instance passing again");
        Assert.DoesNotContain(await bed.EventsAsync(container), e => e is InstanceDeregistered);
    }

    [Fact]
    public async Task Healthcheck_IsPassingOnlyOnceDockerSaysHealthy()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        var healthy = await engine.RunSleeperAsync(Web("healthy"), "--health-cmd", "true", "--health-interval", "1s");
        var sick = await engine.RunSleeperAsync(Web("sick"), "--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1");

        var up = await bed.UntilRegisteredAsync(healthy, s => s.Status == HealthStatus.Passing, "the healthy container passing");
        Assert.Equal(HealthStatus.Passing, up.Checks[ContainerChecks.Health].Status);
        var down = await bed.UntilRegisteredAsync(sick,
            s => s.Checks.TryGetValue(ContainerChecks.Health, out var c) && c.Output == "unhealthy", "the sick container unhealthy");
        Assert.Equal(HealthStatus.Critical, down.Status);

        // Neither was passing before Docker said healthy: the sick one never was.
        var sickEvents = await bed.EventsAsync(sick);
        var registration = sickEvents.OfType<InstanceRegistered>().First();
        Assert.Equal(HealthStatus.Critical, registration.Checks.Single(c => c.CheckId == ContainerChecks.Health).InitialStatus);
        Assert.DoesNotContain(sickEvents.OfType<InstanceHealthChanged>(), h => h.CheckId == ContainerChecks.Health && h.Status == HealthStatus.Passing);
    }

    [Fact]
    public async Task Rename_OfAContainerWithoutServiceLabel_ReRegistersItUnderTheNewName()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync();
        var container = await engine.RunSleeperAsync(new Dictionary<string, string> { ["mesh.port"] = "8080" }, "--name", "first-name");
        await bed.UntilRegisteredAsync(container, s => s.Registration!.Service == "first-name", "registered as first-name");

        await engine.RenameAsync(container, "second-name");
        await bed.UntilRegisteredAsync(container, s => s.Registration!.Service == "second-name", "registered as second-name");
        Assert.DoesNotContain(await bed.EventsAsync(container), e => e is InstanceDeregistered);
    }

    [Fact]
    public async Task EventsWhileDisconnected_AreReplayedFromWhereTheStreamStopped()
    {
        await using var proxy = new UnixSocketProxy(Path.Combine(engine.WorkDirectory, "p.sock"), engine.SocketPath);
        proxy.Start();
        await using var bed = new DockerSourceTestBed(engine);
        await bed.StartAsync(o => (o.Endpoint, o.MaxBackoff) = (proxy.Endpoint, TimeSpan.FromMilliseconds(200)));
        var steady = await engine.RunSleeperAsync(Web("steady"));
        await bed.UntilRegisteredAsync(steady);

        await proxy.CutAsync();
        await bed.UntilAsync(() => !bed.Status.Current.Connected, "the source to lose the engine");
        // Started and exited while the source was away: no reconcile can see it, only the replayed events.
        var brief = await engine.RunAsync(Web("brief"), ["/bin/sh", "-c", "exit 3"]);
        Assert.Equal("3", (await engine.DockerAsync("wait", brief)).Trim());
        proxy.Start();

        await bed.UntilAsync(async () => (await bed.EventsAsync(brief)).Any(e => e is InstanceDeregistered), "the brief container's story");
        var story = await bed.EventsAsync(brief);
        Assert.IsType<InstanceRegistered>(story[0]);
        Assert.Equal("exit 3", Assert.IsType<InstanceDeregistered>(story[^1]).Reason);
        Assert.Single(await bed.EventsAsync(steady), e => e is InstanceRegistered);
        Assert.DoesNotContain(await bed.EventsAsync(steady), e => e is InstanceDeregistered);
    }

    [Fact]
    public async Task TcpEndpointWithTlsClientCertificates_IsFollowed_AndAnEngineTheCaDoesNotVouchForIsRefused()
    {
        var dir = Path.Combine(engine.WorkDirectory, "tls");
        var tls = TlsFiles.Create(dir);
        var stranger = TlsFiles.Create(Path.Combine(dir, "stranger"), "stranger");
        var port = FreePort();
        await engine.StopEngineAsync();
        await engine.StartEngineAsync("-H", $"tcp://127.0.0.1:{port}",
            "--tlsverify", "--tlscacert", tls.CaFile, "--tlscert", tls.ServerCertFile, "--tlskey", tls.ServerKeyFile);
        try
        {
            await using (var bed = new DockerSourceTestBed(engine))
            {
                await bed.StartAsync(o =>
                {
                    o.Endpoint = $"tcp://127.0.0.1:{port}";
                    (o.TlsCaFile, o.TlsCertFile, o.TlsKeyFile) = (tls.CaFile, tls.ClientCertFile, tls.ClientKeyFile);
                });
                var container = await engine.RunSleeperAsync(Web("over-tls"));
                await bed.UntilRegisteredAsync(container);
                Assert.Equal("1.41", bed.Status.Current.ApiVersion);
            }

            // The engine's certificate is not signed by the CA this source trusts.
            await using var wary = new DockerSourceTestBed(engine);
            await wary.StartAsync(o =>
            {
                o.Endpoint = $"tcp://127.0.0.1:{port}";
                (o.TlsCaFile, o.TlsCertFile, o.TlsKeyFile) = (stranger.CaFile, tls.ClientCertFile, tls.ClientKeyFile);
            }, untilReconciled: false);
            await wary.UntilAsync(() => wary.Status.Current.Failures >= 1, "a refused connection");
            Assert.False(wary.Status.Current.Connected);
            Assert.Equal(0, wary.Status.Current.Reconciles);
        }
        finally
        {
            await engine.RestartEngineAsync();
        }
    }

    [Fact]
    public async Task UnreachableEngine_IsLoggedOnce_RetriedWithBackoff_AndFollowedOnceItIsBack()
    {
        await using var bed = new DockerSourceTestBed(engine);
        await engine.StopEngineAsync();
        try
        {
            await bed.StartAsync(o => o.MaxBackoff = TimeSpan.FromMilliseconds(200), untilReconciled: false);
            await bed.UntilAsync(() => bed.Status.Current.Failures >= 4, "four failed attempts");
            Assert.False(bed.Status.Current.Connected);
            Assert.NotNull(bed.Status.Current.LastError);
        }
        finally
        {
            await engine.StartEngineAsync();
        }

        var container = await engine.RunSleeperAsync(Web("after-outage"));
        await bed.UntilRegisteredAsync(container);
        // The container can be registered by the connect reconcile itself, before that reconcile completes and the
        // source counts as connected again: wait for that, do not assume it.
        await bed.UntilAsync(() => bed.Status.Current.Connected, "connected again");
        await bed.UntilAsync(() => bed.Log.Entries.Any(e => e.Level == LogLevel.Information && e.Message.Contains("is back after", StringComparison.Ordinal)), "the recovery logged");
        var errors = bed.Log.Entries.Where(e => e.Level >= LogLevel.Warning).ToArray();
        var unreachable = Assert.Single(errors);
        Assert.Contains(engine.Endpoint, unreachable.Message, StringComparison.Ordinal);
        Assert.Contains(bed.Log.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("still unreachable", StringComparison.Ordinal));
        Assert.Contains(bed.Log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("is back after", StringComparison.Ordinal));
    }
}
