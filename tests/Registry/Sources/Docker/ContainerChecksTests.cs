using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class ContainerChecksTests
{
    [Theory]
    [InlineData(false, null, HealthStatus.Passing, "", null, null)]
    [InlineData(true, null, HealthStatus.Critical, "paused", null, null)]
    [InlineData(false, "healthy", HealthStatus.Passing, "", HealthStatus.Passing, "")]
    [InlineData(false, "unhealthy", HealthStatus.Passing, "", HealthStatus.Critical, "unhealthy")]
    [InlineData(true, "healthy", HealthStatus.Critical, "paused", HealthStatus.Passing, "")]
    // "starting" reports nothing: an engine restart resets every health to starting, which must not flap.
    [InlineData(false, "starting", HealthStatus.Passing, "", null, null)]
    public void Current_PausedAndHealth_AreTheStateAndHealthChecks(
        bool paused, string? health, HealthStatus state, string stateOutput, HealthStatus? healthStatus, string? healthOutput)
    {
        var container = new ContainerInspectResponse
        {
            State = new State { Running = true, Paused = paused, Health = health is null ? null : new global::Docker.DotNet.Models.Health { Status = health } },
        };

        var reports = ContainerChecks.Current(container);

        Assert.Contains(new ContainerChecks.Report(ContainerChecks.State, state, stateOutput), reports);
        var reported = reports.SingleOrDefault(r => r.CheckId == ContainerChecks.Health);
        Assert.Equal(healthStatus, reported?.Status);
        Assert.Equal(healthOutput, reported?.Output);
    }
}
