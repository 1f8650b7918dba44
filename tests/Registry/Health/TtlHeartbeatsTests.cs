using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Health;

/// <summary>Beats from this process and from others (over the bus, with the sender's time).</summary>
public sealed class TtlHeartbeatsTests
{
    private readonly SettableClock _clock = new();

    [Fact]
    public void Beat_JustNow_IsTheLastBeat()
    {
        var beats = new TtlHeartbeats(_clock);

        beats.Beat("api:web-1", "ttl");

        Assert.Equal(_clock.GetUtcNow(), beats.LastBeat("api:web-1", "ttl"));
        Assert.Null(beats.LastBeat("api:web-1", "other"));
    }

    [Fact]
    public void Beat_AnOlderOneArrivingLate_DoesNotMoveTheLastBeatBack()
    {
        var beats = new TtlHeartbeats(_clock);
        var now = _clock.GetUtcNow();

        beats.Beat("api:web-1", "ttl", now.AddSeconds(-1));
        beats.Beat("api:web-1", "ttl", now.AddSeconds(-5));

        Assert.Equal(now.AddSeconds(-1), beats.LastBeat("api:web-1", "ttl"));
    }

    [Fact]
    public void Beat_FromAClockThatRunsAhead_CountsFromNowHere()
    {
        var beats = new TtlHeartbeats(_clock);

        beats.Beat("api:web-1", "ttl", _clock.GetUtcNow().AddMinutes(10));

        Assert.Equal(_clock.GetUtcNow(), beats.LastBeat("api:web-1", "ttl"));
    }

    [Fact]
    public void LocalSink_RecordsTheBeatInTheProcesssHeartbeats()
    {
        var beats = new TtlHeartbeats(_clock);

        new LocalTtlHeartbeatSink(beats).Beat("api:web-1", "ttl", HealthStatus.Warning);

        Assert.Equal(_clock.GetUtcNow(), beats.LastBeat("api:web-1", "ttl"));
    }
}
