using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class TtlExpiryTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    // Times in seconds after T0; beat -1 means no beat.
    [Theory]
    [InlineData(HealthStatus.Passing, 0, -1, 0, 29, false)]   // within the TTL of the transition
    [InlineData(HealthStatus.Passing, 0, -1, 0, 30, true)]    // a full TTL without news
    [InlineData(HealthStatus.Warning, 0, -1, 0, 31, true)]    // warning expires too
    [InlineData(HealthStatus.Critical, 0, -1, 0, 3600, false)] // nothing left to expire
    [InlineData(HealthStatus.Passing, 0, 20, 0, 45, false)]   // a beat restarts the TTL, though the log did not change
    [InlineData(HealthStatus.Passing, 0, 20, 0, 50, true)]    // ... for one TTL
    [InlineData(HealthStatus.Passing, 40, 20, 0, 65, false)]  // a later transition counts over an older beat
    [InlineData(HealthStatus.Passing, 0, -1, 600, 620, false)] // a checker that took the check over late gives it a full TTL
    [InlineData(HealthStatus.Passing, 0, -1, 600, 630, true)]
    public void IsExpired_CountsFromTheLatestSignOfLife(HealthStatus status, int since, int beat, int watched, int now, bool expired)
    {
        var state = new CheckState(Spec(), status, "", T0.AddSeconds(since));
        DateTimeOffset? lastBeat = beat < 0 ? null : T0.AddSeconds(beat);

        Assert.Equal(expired, TtlExpiry.IsExpired(state, lastBeat, T0.AddSeconds(watched), T0.AddSeconds(now)));
    }

    [Fact]
    public void DueAt_IsOneTtlAfterTheLatestSignOfLife()
    {
        var state = new CheckState(Spec(), HealthStatus.Passing, "", T0);

        Assert.Equal(T0.AddSeconds(50), TtlExpiry.DueAt(state, T0.AddSeconds(20), T0.AddSeconds(5)));
    }

    [Theory]
    [InlineData("", "TTL expired")]
    [InlineData("queue depth 3", "TTL expired (last output before timeout follows): queue depth 3")]
    public void Output_KeepsWhatTheServiceLastSaid(string lastOutput, string expected) =>
        Assert.Equal(expected, TtlExpiry.Output(lastOutput));

    private static CheckSpec Spec() => new("ttl", "ttl", CheckKind.Ttl, "", Ttl, TimeSpan.Zero, null, HealthStatus.Critical);
}
