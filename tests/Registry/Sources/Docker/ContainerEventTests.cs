using Docker.DotNet.Models;
using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class ContainerEventTests
{
    [Theory]
    [InlineData("start", nameof(ContainerEventKind.Start))]
    [InlineData("die", nameof(ContainerEventKind.Die))]
    [InlineData("stop", nameof(ContainerEventKind.Stop))]
    [InlineData("destroy", nameof(ContainerEventKind.Destroy))]
    [InlineData("kill", nameof(ContainerEventKind.Kill))]
    [InlineData("oom", nameof(ContainerEventKind.Oom))]
    [InlineData("pause", nameof(ContainerEventKind.Pause))]
    [InlineData("unpause", nameof(ContainerEventKind.Unpause))]
    [InlineData("rename", nameof(ContainerEventKind.Changed))]
    [InlineData("update", nameof(ContainerEventKind.Changed))]
    [InlineData("health_status: healthy", nameof(ContainerEventKind.HealthStatus))]
    [InlineData("health_status: unhealthy", nameof(ContainerEventKind.HealthStatus))]
    [InlineData("create", nameof(ContainerEventKind.Ignored))]
    [InlineData("restart", nameof(ContainerEventKind.Ignored))]
    [InlineData("exec_create: /bin/sh -c false", nameof(ContainerEventKind.Ignored))]
    [InlineData("exec_die", nameof(ContainerEventKind.Ignored))]
    [InlineData("attach", nameof(ContainerEventKind.Ignored))]
    public void Classify_Action_IsTheKindTheSourceActsOn(string action, string kind) =>
        Assert.Equal(kind, ContainerEvent.Classify(action).ToString());

    [Fact]
    public void From_DieEvent_CarriesItsExitCode_AndMetadataNamesTheFact()
    {
        var e = ContainerEvent.From(new Message
        {
            Type = "container",
            Action = "die",
            Actor = new Actor { ID = "3f2a", Attributes = new Dictionary<string, string> { ["exitCode"] = "137", ["name"] = "web" } },
            Time = 1795687628,
            TimeNano = 1795687628414023499,
        });

        Assert.Equal(("3f2a", ContainerEventKind.Die, "137"), (e.ContainerId, e.Kind, e.ExitCode));
        Assert.Equal("1795687628414023499:die", e.Metadata.SourceFactId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795687628).AddTicks(4140234), e.Metadata.SourceTime);
        Assert.Contains("\"exitCode\":\"137\"", e.Metadata.RawPayload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health_status: healthy", "healthy")]
    [InlineData("health_status: unhealthy", "unhealthy")]
    [InlineData("health_status: starting", "starting")]
    [InlineData("start", null)]
    public void Health_OfAHealthStatusEvent_IsTheStatusAfterTheColon(string action, string? health) =>
        Assert.Equal(health, ContainerEvent.From(new Message { Action = action, Actor = new Actor { ID = "x" } }).Health);

    [Fact]
    public void From_EventWithoutTimeNano_UsesItsSeconds() =>
        Assert.Equal(1795687628_000_000_000, ContainerEvent.From(new Message { Action = "start", Time = 1795687628 }).TimeNano);

    [Theory]
    [InlineData(1795687628414023499, "1795687628.414023499")]
    [InlineData(1795687628000000007, "1795687628.000000007")]
    public void SinceOf_TimeNano_IsSecondsDotNanoseconds(long timeNano, string since) =>
        Assert.Equal(since, ContainerEvent.SinceOf(timeNano));

    [Theory]
    [InlineData("2026-11-26T10:08:22.716293261Z", "1795687702.716293200")]
    [InlineData("2026-11-26T10:08:22Z", "1795687702.000000000")]
    [InlineData("2026-11-26T11:08:22.5+01:00", "1795687702.500000000")]
    [InlineData("not a time", null)]
    [InlineData("", null)]
    public void SinceOf_EngineSystemTime_IsUnixSeconds_CutTo100Nanoseconds(string systemTime, string? since) =>
        Assert.Equal(since, ContainerEvent.SinceOf(systemTime));
}
