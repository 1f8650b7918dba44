using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Mesh.Registry.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Health;

/// <summary>TTL checks, on a clock the test moves: "a second later" without waiting a second.</summary>
public sealed class HealthCheckerTtlTests
{
    private static readonly TimeSpan TtlSpan = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TtlCheck_NoReportWithinTtl_GoesCritical_AReportPassesIt_ThenItExpiresAgain()
    {
        var clock = new SettableClock();
        await using var bed = new HealthTestBed(clock);
        await bed.RegisterAsync("api:worker-1", HealthTestBed.Ttl("ttl", TtlSpan, HealthStatus.Passing));
        var checker = await bed.StartCheckerAsync();
        // The runner counts from when it took the check over: let it do so before time moves.
        await HealthTestBed.UntilAsync(() => checker.Counters.TtlEvaluations >= 1, "the TTL runner running");

        clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await bed.UntilHealthChangeAsync("api:worker-1", "ttl", 1);
        Assert.Equal(HealthStatus.Critical, expired.Status);
        Assert.Equal("TTL expired", expired.Output);

        await ReportAsync(bed, HealthStatus.Passing, "alive");
        var passing = await bed.UntilHealthChangeAsync("api:worker-1", "ttl", 2);
        Assert.Equal(HealthStatus.Passing, passing.Status);

        clock.Advance(TimeSpan.FromSeconds(1));
        var expiredAgain = await bed.UntilHealthChangeAsync("api:worker-1", "ttl", 3);
        Assert.Equal(HealthStatus.Critical, expiredAgain.Status);
        Assert.Equal("TTL expired (last output before timeout follows): alive", expiredAgain.Output);
    }

    [Fact]
    public async Task TtlCheck_BeatsThatChangeNothingInTheLog_StillKeepItPassing()
    {
        var clock = new SettableClock();
        await using var bed = new HealthTestBed(clock);
        await bed.RegisterAsync("api:worker-2", HealthTestBed.Ttl("ttl", TtlSpan, HealthStatus.Passing));
        var checker = await bed.StartCheckerAsync();
        await HealthTestBed.UntilAsync(() => checker.Counters.TtlEvaluations >= 1, "the TTL runner running");

        clock.Advance(TimeSpan.FromMilliseconds(150));
        bed.Heartbeats.Beat("api:worker-2", "ttl");
        // Past the registration's TTL, within the beat's.
        clock.Advance(TimeSpan.FromMilliseconds(150));
        var evaluations = checker.Counters.TtlEvaluations;
        await HealthTestBed.UntilAsync(() => checker.Counters.TtlEvaluations >= evaluations + 3, "three TTL evaluations");
        Assert.Empty(await bed.HealthChangesAsync("api:worker-2", "ttl"));

        clock.Advance(TimeSpan.FromMilliseconds(100));
        var expired = await bed.UntilHealthChangeAsync("api:worker-2", "ttl", 1);
        Assert.Equal(HealthStatus.Critical, expired.Status);
    }

    private static async Task ReportAsync(HealthTestBed bed, HealthStatus status, string output)
    {
        // What the API does on PUT /v1/agent/check/pass: beat, then hand over the observation.
        bed.Heartbeats.Beat("api:worker-1", "ttl");
        var result = await bed.Registry.HandleAsync(new CheckReported("api:worker-1", "api", "ttl", status, output),
            TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
    }
}
