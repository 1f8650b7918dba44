using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Health;

/// <summary>What survives a restart of the checker: statuses and transition times come from the log.</summary>
public sealed class HealthCheckerRestartTests
{
    [Fact]
    public async Task DeregisterCriticalServiceAfter_CountsFromTheRecordedTransition_AcrossARestart()
    {
        var clock = new SettableClock();
        await using var bed = new HealthTestBed(clock);
        var target = $"127.0.0.1:{HealthTestBed.FreePort()}";
        // Registered critical (Consul's default) at T0: the transition the limit counts from.
        await bed.RegisterAsync("api:cache-1", HealthTestBed.Tcp("tcp", target, deregisterAfter: TimeSpan.FromMinutes(10)));
        clock.Advance(TimeSpan.FromMinutes(5));

        var first = await bed.StartCheckerAsync();
        // The probe records why it is critical (T0+5m); that is no transition, so the count still runs from T0.
        var refused = await bed.UntilHealthChangeAsync("api:cache-1", "tcp", 1);
        Assert.Equal(HealthStatus.Critical, refused.Status);
        var reaps = first.Counters.ReaperRuns;
        await HealthTestBed.UntilAsync(() => first.Counters.ReaperRuns >= reaps + 2, "two reaper passes");
        Assert.DoesNotContain(await bed.EventsAsync("api:cache-1"), e => e is InstanceDeregistered);
        await bed.StopCheckerAsync(first);

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        // A new checker has seen the check critical for no time at all; the log says 10m1s.
        var second = await bed.StartCheckerAsync();

        await HealthTestBed.UntilAsync(async () => (await bed.EventsAsync("api:cache-1")).Any(e => e is InstanceDeregistered),
            "the instance deregistered");
        var gone = (await bed.EventsAsync("api:cache-1")).OfType<InstanceDeregistered>().Single();
        Assert.Equal("expired", gone.Reason);
        await HealthTestBed.UntilAsync(() => second.RunningChecks == 0, "the runner of the removed check stopped");
    }

    [Fact]
    public async Task Restart_LongAfterTheLastTransition_TurnsNoPassingCheckCritical()
    {
        var clock = new SettableClock();
        await using var server = await TargetServer.StartAsync();
        await using var bed = new HealthTestBed(clock);
        await bed.RegisterAsync("api:web-7",
            HealthTestBed.Http("http", server.BaseUrl + "/ok"),
            HealthTestBed.Ttl("ttl", TimeSpan.FromMinutes(1)) with { DeregisterCriticalServiceAfter = TimeSpan.FromMinutes(1) });
        var first = await bed.StartCheckerAsync();
        await bed.UntilHealthChangeAsync("api:web-7", "http", 1);
        bed.Heartbeats.Beat("api:web-7", "ttl");
        await bed.Registry.HandleAsync(new CheckReported("api:web-7", "api", "ttl", HealthStatus.Passing, "alive"),
            TestContext.Current.CancellationToken);
        await HealthTestBed.UntilAsync(() => bed.View.Find("api:web-7")?.Status == HealthStatus.Passing, "both checks passing");
        await bed.StopCheckerAsync(first);
        var head = await bed.Store.ReadHeadPositionAsync(TestContext.Current.CancellationToken);

        // Two hours later, well past the TTL counted from the last report (the heartbeats start empty after a restart).
        clock.Advance(TimeSpan.FromHours(2));
        bed.LoseHeartbeats();
        var second = await bed.StartCheckerAsync();
        await HealthTestBed.UntilAsync(
            () => second.Counters.Probes >= 3 && second.Counters.TtlEvaluations >= 1 && second.Counters.ReaperRuns >= 2,
            "probes, a TTL evaluation and reaper passes after the restart");

        Assert.Equal(head, await bed.Store.ReadHeadPositionAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HealthStatus.Passing, bed.View.Find("api:web-7")?.Status);
    }
}
