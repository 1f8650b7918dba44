using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class CheckPlanTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Desired_IsEveryCheckOfEveryRegisteredInstance()
    {
        var desired = CheckPlan.Desired([
            ReaperTests.Instance("api:a", (Spec("x"), HealthStatus.Passing, T0), (Spec("y"), HealthStatus.Critical, T0)),
            ReaperTests.Instance("api:b", (Spec("x"), HealthStatus.Passing, T0)),
            InstanceState.Empty("api:gone"),
        ]);

        Assert.Equal([Key("api:a", "x"), Key("api:a", "y"), Key("api:b", "x")], desired.Keys.OrderBy(k => k.ToString(), StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Diff_NothingRunning_StartsEverything()
    {
        var diff = CheckPlan.Diff(Running(), Desired((Key("api:a", "x"), Spec("x"))));

        Assert.Equal([Key("api:a", "x")], diff.Start);
        Assert.Empty(diff.Stop);
        Assert.Empty(diff.Keep);
    }

    [Fact]
    public void Diff_SameDefinition_KeepsTheRunner()
    {
        var diff = CheckPlan.Diff(Running((Key("api:a", "x"), Spec("x"))), Desired((Key("api:a", "x"), Spec("x"))));

        Assert.Equal([Key("api:a", "x")], diff.Keep);
        Assert.Empty(diff.Start);
        Assert.Empty(diff.Stop);
    }

    [Fact]
    public void Diff_ChangedDefinition_StopsAndStartsAgain()
    {
        var changed = Spec("x") with { Target = "127.0.0.1:2" };

        var diff = CheckPlan.Diff(Running((Key("api:a", "x"), Spec("x"))), Desired((Key("api:a", "x"), changed)));

        Assert.Equal([Key("api:a", "x")], diff.Stop);
        Assert.Equal([Key("api:a", "x")], diff.Start);
        Assert.Empty(diff.Keep);
    }

    [Fact]
    public void Diff_RemovedCheckOrInstance_Stops()
    {
        var diff = CheckPlan.Diff(
            Running((Key("api:a", "x"), Spec("x")), (Key("api:a", "y"), Spec("y")), (Key("api:b", "x"), Spec("x"))),
            Desired((Key("api:a", "x"), Spec("x"))));

        Assert.Equal([Key("api:a", "y"), Key("api:b", "x")], diff.Stop.OrderBy(k => k.ToString(), StringComparer.Ordinal).ToArray());
        Assert.Equal([Key("api:a", "x")], diff.Keep);
        Assert.Empty(diff.Start);
    }

    [Fact]
    public void Diff_SameCheckIdOnAnotherInstance_IsAnotherCheck()
    {
        var diff = CheckPlan.Diff(Running((Key("api:a", "x"), Spec("x"))),
            Desired((Key("api:a", "x"), Spec("x")), (Key("api:b", "x"), Spec("x"))));

        Assert.Equal([Key("api:b", "x")], diff.Start);
        Assert.Equal([Key("api:a", "x")], diff.Keep);
    }

    private static CheckKey Key(string instanceId, string checkId) => new(instanceId, checkId);

    private static CheckSpec Spec(string id) =>
        new(id, id, CheckKind.Tcp, "127.0.0.1:1", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), null, HealthStatus.Critical);

    private static Dictionary<CheckKey, CheckSpec> Running(params (CheckKey Key, CheckSpec Spec)[] running) =>
        running.ToDictionary(r => r.Key, r => r.Spec);

    private static Dictionary<CheckKey, CheckState> Desired(params (CheckKey Key, CheckSpec Spec)[] desired) =>
        desired.ToDictionary(d => d.Key, d => new CheckState(d.Spec, HealthStatus.Critical, "", T0));
}
