using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Tests.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>The source-check reports a reconcile derives from real captured <c>inspect</c> output.</summary>
public sealed class ContainerChecksInspectTests
{
    private static readonly DockerHost Host = new("node-1", "10.1.2.3", Network: null);

    [Theory]
    [InlineData("paused.json", "docker:state=Critical 'paused'")]
    [InlineData("web-host.json", "docker:state=Passing ''")]
    [InlineData("hc-starting.json", "docker:state=Passing ''")]
    [InlineData("hc-healthy.json", "docker:state=Passing ''", "docker:health=Passing ''")]
    [InlineData("hc-unhealthy.json", "docker:state=Passing ''", "docker:health=Critical 'unhealthy'")]
    [InlineData("no-hc.json", "docker:state=Passing ''")]
    public void Current_CapturedContainer_ReportsItsStateAndHealth(string file, params string[] expected)
    {
        var reports = ContainerChecks.Current(DockerJson.Inspect(file));

        Assert.Equal(expected, reports.Select(r => $"{r.CheckId}={r.Status} '{r.Output}'"));
    }

    [Theory]
    [InlineData("web-host.json")]
    [InlineData("no-hc.json")]
    [InlineData("hc-starting.json")]
    public void Current_ContainerJustRegistered_ChangesNothing(string file)
    {
        // A reconcile right after a start must append nothing: every source check starts as the report says.
        var container = DockerJson.Inspect(file);
        var seen = Assert.IsType<InstanceSeen>(Assert.Single(ContainerMapper.Map(container, Host)));
        var state = Samples.Registered(seen);

        foreach (var report in ContainerChecks.Current(container))
        {
            var observation = new CheckReported(seen.InstanceId, ContainerMapper.Source, report.CheckId, report.Status, report.Output);
            Assert.Empty(InstanceDecider.Decide(state, observation).Events);
        }
    }

    [Fact]
    public void HealthEvent_AndInspect_AgreeSoNothingIsRecordedTwice()
    {
        var fromEvent = ContainerChecks.FromHealth("healthy"); // "health_status: healthy"
        var fromInspect = Assert.Single(ContainerChecks.Current(DockerJson.Inspect("hc-healthy.json")), r => r.CheckId == ContainerChecks.Health);

        Assert.Equal(fromEvent, fromInspect);
    }
}
