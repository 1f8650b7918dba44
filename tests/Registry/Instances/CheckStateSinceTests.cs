using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Instances;

/// <summary>CheckState.Since is the last status change: DeregisterCriticalServiceAfter counts from it.</summary>
public sealed class CheckStateSinceTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_NewOutputSameStatus_KeepsSince()
    {
        var state = Registered().Apply(new InstanceHealthChanged("api:a", "c", HealthStatus.Critical, "Connection refused"), 2, T0.AddMinutes(5));

        Assert.Equal(T0, state.Checks["c"].Since);
        Assert.Equal("Connection refused", state.Checks["c"].Output);
    }

    [Fact]
    public void Apply_NewStatus_MovesSince()
    {
        var state = Registered()
            .Apply(new InstanceHealthChanged("api:a", "c", HealthStatus.Passing, "ok"), 2, T0.AddMinutes(5))
            .Apply(new InstanceHealthChanged("api:a", "c", HealthStatus.Critical, "down"), 3, T0.AddMinutes(7));

        Assert.Equal(T0.AddMinutes(7), state.Checks["c"].Since);
    }

    private static InstanceState Registered()
    {
        var spec = new CheckSpec("c", "c", CheckKind.Tcp, "127.0.0.1:1", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), null, HealthStatus.Critical);
        return InstanceState.Empty("api:a").Apply(new InstanceRegistered("api:a", "web", "integration", "127.0.0.1", 80, [],
            ImmutableSortedDictionary<string, string>.Empty, [], null, "api", "node-1", [spec]), 1, T0);
    }
}
