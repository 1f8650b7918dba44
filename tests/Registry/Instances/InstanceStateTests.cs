using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Registry.Tests.Instances.Samples;

namespace Mesh.Registry.Tests.Instances;

public sealed class InstanceStateTests
{
    [Fact]
    public void Apply_Registered_StartsChecksAtTheirInitialStatus()
    {
        var state = Empty().Apply(Registration(), position: 7, at: T0);

        Assert.True(state.IsRegistered);
        Assert.Equal((0L, 7L, 7L), (state.Version, state.CreatePosition, state.ModifyPosition));
        Assert.Equal(HealthStatus.Critical, state.Checks["web-http"].Status);
        Assert.Equal(HealthStatus.Passing, state.Checks["web-tcp"].Status);
        Assert.Equal(T0, state.Checks["web-http"].Since);
    }

    [Fact]
    public void Apply_ReRegisteredWithUnchangedCheck_KeepsItsStatusAndSince()
    {
        var passingAt = T0.AddMinutes(1);
        var state = Empty()
            .Apply(Registration(), 1, T0)
            .Apply(new InstanceHealthChanged(Id, "web-http", HealthStatus.Passing, "200 OK"), 2, passingAt)
            .Apply(Registration() with { Tags = ["v2"] }, 3, T0.AddMinutes(2));

        var check = state.Checks["web-http"];
        Assert.Equal((HealthStatus.Passing, "200 OK", passingAt), (check.Status, check.Output, check.Since));
        Assert.Equal(["v2"], state.Registration!.Tags);
        Assert.Equal((2L, 1L, 3L), (state.Version, state.CreatePosition, state.ModifyPosition));
    }

    [Fact]
    public void Apply_ReRegisteredWithChangedCheck_ResetsItToItsInitialStatus()
    {
        var changedAt = T0.AddMinutes(2);
        var changed = HttpCheck with { Target = "http://10.0.0.7:8080/ready" };
        var state = Empty()
            .Apply(Registration(), 1, T0)
            .Apply(new InstanceHealthChanged(Id, "web-http", HealthStatus.Passing, "200 OK"), 2, T0.AddMinutes(1))
            .Apply(Registration() with { Checks = [changed, TcpCheck] }, 3, changedAt);

        var check = state.Checks["web-http"];
        Assert.Equal((changed, HealthStatus.Critical, "", changedAt), (check.Spec, check.Status, check.Output, check.Since));
    }

    [Fact]
    public void Apply_ReRegisteredWithoutACheck_DropsIt()
    {
        var state = Empty()
            .Apply(Registration(), 1, T0)
            .Apply(Registration() with { Checks = [TcpCheck] }, 2, T0);

        Assert.Equal(["web-tcp"], state.Checks.Keys);
    }

    [Fact]
    public void Apply_HealthChangeOfUnknownCheck_ChangesNothingButTheVersion()
    {
        var registered = Empty().Apply(Registration(), 1, T0);

        var state = registered.Apply(new InstanceHealthChanged(Id, "nope", HealthStatus.Warning, ""), 2, T0);

        Assert.Equal(registered with { Version = 1, ModifyPosition = 2 }, state);
    }

    [Fact]
    public void Apply_Deregistered_ForgetsTheInstanceButRemembersRejections()
    {
        var state = Empty()
            .Apply(new ObservationRejected(Id, "docker", "port 70000 is outside 0-65535", ""), 1, T0)
            .Apply(Registration(), 2, T0)
            .Apply(new InstanceMaintenanceChanged(Id, true, "deploy"), 3, T0)
            .Apply(new ObservationRejected(Id, "docker", "address is required", ""), 4, T0)
            .Apply(new InstanceDeregistered(Id, "die"), 5, T0);

        Assert.False(state.IsRegistered);
        Assert.False(state.InMaintenance);
        Assert.Empty(state.Checks);
        Assert.Equal(["address is required"], state.RejectedReasons);
        Assert.Equal((4L, 0L, 5L), (state.Version, state.CreatePosition, state.ModifyPosition));
    }

    [Fact]
    public void Apply_Registered_ClearsRememberedRejections()
    {
        var state = Empty()
            .Apply(new ObservationRejected(Id, "docker", "port 70000 is outside 0-65535", ""), 1, T0)
            .Apply(Registration(), 2, T0);

        Assert.Empty(state.RejectedReasons);
    }

    public static TheoryData<HealthStatus[], bool, HealthStatus> StatusCases => new()
    {
        { [], false, HealthStatus.Passing },
        { [HealthStatus.Passing], false, HealthStatus.Passing },
        { [HealthStatus.Passing, HealthStatus.Warning], false, HealthStatus.Warning },
        { [HealthStatus.Warning, HealthStatus.Critical, HealthStatus.Passing], false, HealthStatus.Critical },
        { [], true, HealthStatus.Critical },
        { [HealthStatus.Passing, HealthStatus.Passing], true, HealthStatus.Critical },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public void Status_IsTheWorstCheck_MaintenanceIsCritical_NoChecksIsPassing(HealthStatus[] checks, bool maintenance, HealthStatus expected)
    {
        var specs = checks.Select((status, i) => HttpCheck with { CheckId = $"c{i}", InitialStatus = status }).ToArray();
        var state = Empty().Apply(Registration() with { Checks = [.. specs] }, 1, T0);
        if (maintenance) state = state.Apply(new InstanceMaintenanceChanged(Id, true, "deploy"), 2, T0);

        Assert.Equal(expected, state.Status);
    }

    private static InstanceRegistered Registration() =>
        Assert.IsType<InstanceRegistered>(Assert.Single(InstanceDecider.Decide(Empty(), Seen()).Events));
}
