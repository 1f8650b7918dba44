using System.Text.Json;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.State;

public sealed class RegistryStateJsonTests
{
    [Fact]
    public void Json_RoundTrip_KeepsEverything()
    {
        var state = Populated();

        var back = JsonSerializer.Deserialize<RegistryState>(Json(state), EventSerializer.Options)!;

        Assert.Equal(Json(state), Json(back));
        Assert.Equal(state.Instances.Keys, back.Instances.Keys);
        Assert.Equal(state.Instances["docker:a"].Checks["docker:a-http"], back.Instances["docker:a"].Checks["docker:a-http"]);
        Assert.Equal(state.Instances["docker:a"].Registration!.Meta, back.Instances["docker:a"].Registration!.Meta);
        Assert.Equal(state.Instances["docker:a"].MaintenanceReason, back.Instances["docker:a"].MaintenanceReason);
        Assert.Equal(state.Services["api"], back.Services["api"] with { InstanceIds = state.Services["api"].InstanceIds });
        Assert.Equal(state.Services["api"].InstanceIds, back.Services["api"].InstanceIds);
        Assert.Equal(state.Environments, back.Environments);
        Assert.Equal(state.CheckOwners, back.CheckOwners);
        Assert.Equal((state.Position, state.CatalogPosition, state.HealthPosition), (back.Position, back.CatalogPosition, back.HealthPosition));
    }

    [Fact]
    public void Json_LeavesOutWhatIsComputed()
    {
        var json = Json(Populated());

        Assert.DoesNotContain("\"isRegistered\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"inMaintenance\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\":\"critical\",\"checks\"", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var instance = doc.RootElement.GetProperty("instances").GetProperty("docker:a");
        Assert.False(instance.TryGetProperty("status", out _));
    }

    [Fact]
    public void Json_EmptyState_RoundTrips()
    {
        var back = JsonSerializer.Deserialize<RegistryState>(Json(RegistryState.Empty), EventSerializer.Options)!;

        Assert.Equal(Json(RegistryState.Empty), Json(back));
        Assert.Empty(back.Instances);
    }

    internal static RegistryState Populated() => Fold(
        Registered("docker:a"),
        Registered("docker:b", "api"),
        Registered("docker:c", "api"),
        new InstanceHealthChanged("docker:a", "docker:a-http", HealthStatus.Passing, "200 OK"),
        new InstanceMaintenanceChanged("docker:a", true, "kernel upgrade"),
        new ObservationRejected("docker:c", "docker", "port 70000 is outside 0-65535", "{}"),
        new InstanceDeregistered("docker:b", "expired"),
        new EnvironmentDefined("feature-x", "integration"));
}
