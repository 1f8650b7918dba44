using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Tests.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>The reports that carry a container's current state (paused, Docker health) to its source checks.</summary>
public sealed class ContainerMapperReportsTests
{
    private static readonly DockerHost Host = new("node-1", "10.1.2.3", Network: null);

    [Theory]
    [InlineData("healthy", HealthStatus.Passing)]
    [InlineData("unhealthy", HealthStatus.Critical)]
    [InlineData("starting", HealthStatus.Critical)]
    [InlineData("none", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void HealthStatusOf_DockerStatus_CheckStatus(string? docker, HealthStatus? expected) =>
        Assert.Equal(expected, ContainerMapper.HealthStatusOf(docker));

    [Theory]
    [InlineData("paused.json", "docker:state=Critical 'paused'")]
    [InlineData("web-host.json", "docker:state=Passing ''")]
    [InlineData("hc-starting.json", "docker:state=Passing ''", "docker:health=Critical 'starting'")]
    [InlineData("hc-healthy.json", "docker:state=Passing ''", "docker:health=Passing 'healthy'")]
    [InlineData("hc-unhealthy.json", "docker:state=Passing ''", "docker:health=Critical 'unhealthy'")]
    [InlineData("no-hc.json", "docker:state=Passing ''")]
    [InlineData("ignored.json")]
    [InlineData("garbage.json")]
    public void CurrentReports_CapturedContainer_ReportsItsStateAndHealth(string file, params string[] expected)
    {
        var container = DockerJson.Inspect(file);

        var reports = ContainerMapper.CurrentReports(container, Host);

        Assert.Equal(expected, reports.Select(r => $"{r.CheckId}={r.Status} '{r.Output}'"));
        Assert.All(reports, r => Assert.Equal($"docker:{container.ID}", r.InstanceId));
        Assert.All(reports, r => Assert.Equal("docker", r.Source));
    }

    [Fact]
    public void CurrentReports_OneServicePerPort_ReportsForEachInstance()
    {
        var container = DockerJson.Inspect("multiport.json");

        var reports = ContainerMapper.CurrentReports(container, Host);

        Assert.Equal([$"docker:{container.ID}:8080", $"docker:{container.ID}:9090"], reports.Select(r => r.InstanceId));
    }

    [Fact]
    public void CurrentReports_RunningContainerJustRegistered_ChangesNothing()
    {
        // A reconcile right after a start must not append anything: the state check starts as the report says.
        var container = DockerJson.Inspect("web-host.json");
        var seen = Assert.IsType<InstanceSeen>(Assert.Single(ContainerMapper.Map(container, Host)));
        var state = Samples.Registered(seen);

        var report = Assert.Single(ContainerMapper.CurrentReports(container, Host));

        Assert.Empty(InstanceDecider.Decide(state, report).Events);
    }

    [Fact]
    public void HealthReport_EventAndInspect_AgreeSoNothingIsRecordedTwice()
    {
        var container = DockerJson.Inspect("hc-healthy.json");
        var instanceId = $"docker:{container.ID}";

        var fromEvent = ContainerMapper.HealthReport(instanceId, "healthy"); // "health_status: healthy"
        var fromInspect = Assert.Single(ContainerMapper.CurrentReports(container, Host), r => r.CheckId == ContainerMapper.HealthCheckId);

        Assert.Equal(fromEvent, fromInspect);
    }

    [Fact]
    public void StateReport_PauseThenUnpause_CriticalThenBack()
    {
        var seen = Assert.IsType<InstanceSeen>(Assert.Single(ContainerMapper.Map(DockerJson.Inspect("paused.json"), Host)));
        var registered = Samples.Registered(seen);

        var paused = registered.After(ContainerMapper.StateReport(seen.InstanceId, paused: true));
        var unpaused = paused.After(ContainerMapper.StateReport(seen.InstanceId, paused: false));

        Assert.Equal((HealthStatus.Critical, "paused"), (paused.Checks["docker:state"].Status, paused.Checks["docker:state"].Output));
        Assert.Equal((HealthStatus.Passing, ""), (unpaused.Checks["docker:state"].Status, unpaused.Checks["docker:state"].Output));
    }
}
