using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class ReaperTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    // Durations in seconds; after -1 means no DeregisterCriticalServiceAfter.
    [Theory]
    [InlineData(HealthStatus.Critical, 60, 61, true)]
    [InlineData(HealthStatus.Critical, 60, 60, false)]  // "longer than": not at the limit itself
    [InlineData(HealthStatus.Critical, 60, 30, false)]
    [InlineData(HealthStatus.Critical, 1, 2, true)]     // Mesh does not clamp to Consul's one-minute minimum
    [InlineData(HealthStatus.Critical, -1, 86_400, false)]
    [InlineData(HealthStatus.Critical, 0, 86_400, false)]
    [InlineData(HealthStatus.Warning, 60, 86_400, false)]
    [InlineData(HealthStatus.Passing, 60, 86_400, false)]
    public void Expired_CountsCriticalTimeFromTheRecordedTransition(HealthStatus status, int after, int elapsed, bool expired)
    {
        var instance = Instance("api:web-1", Check("c", status, T0, after < 0 ? null : TimeSpan.FromSeconds(after)));

        var found = Reaper.Expired([instance], T0.AddSeconds(elapsed));

        Assert.Equal(expired, found.Count == 1);
    }

    [Fact]
    public void Expired_NamesTheInstanceOnceAndTheCheckThatExpiredIt()
    {
        var instance = Instance("api:web-1",
            Check("a", HealthStatus.Passing, T0, TimeSpan.FromSeconds(1)),
            Check("b", HealthStatus.Critical, T0, TimeSpan.FromSeconds(1)),
            Check("c", HealthStatus.Critical, T0, TimeSpan.FromSeconds(1)));
        var other = Instance("api:web-2", Check("a", HealthStatus.Critical, T0.AddHours(1), TimeSpan.FromMinutes(1)));

        var found = Reaper.Expired([instance, other], T0.AddMinutes(5));

        Assert.Equal([new ExpiredCheck("api:web-1", "b", T0, TimeSpan.FromSeconds(1))], found);
    }

    private static (CheckSpec Spec, HealthStatus Status, DateTimeOffset Since) Check(string id, HealthStatus status, DateTimeOffset since, TimeSpan? after) =>
        (new CheckSpec(id, id, CheckKind.Tcp, "127.0.0.1:1", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), after, HealthStatus.Critical),
            status, since);

    internal static InstanceState Instance(string id, params (CheckSpec Spec, HealthStatus Status, DateTimeOffset Since)[] checks)
    {
        var registered = new InstanceRegistered(id, "web", "integration", "127.0.0.1", 80, [], ImmutableSortedDictionary<string, string>.Empty,
            [], null, "api", "node-1", [.. checks.Select(c => c.Spec)]);
        var state = InstanceState.Empty(id).Apply(registered, 1, T0);
        return state with
        {
            Checks = state.Checks.SetItems(checks.Select(c =>
                KeyValuePair.Create(c.Spec.CheckId, new CheckState(c.Spec, c.Status, "", c.Since)))),
        };
    }
}
