using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.State;

public sealed class RegistryProjectionTests
{
    private const string A = "docker:a";

    /// <summary>What the registry would have appended for a random mix of observations.</summary>
    private static IEnumerable<IEvent> DecidedEvents(int seed, int observations)
    {
        var states = new Dictionary<string, InstanceState>();
        foreach (var observation in RandomObservations(seed, observations, instances: 40, services: 6))
        {
            var state = states.GetValueOrDefault(observation.InstanceId) ?? InstanceState.Empty(observation.InstanceId);
            foreach (var e in InstanceDecider.Decide(state, observation).Events)
            {
                state = state.Apply(e, state.ModifyPosition + 1, T0);
                yield return e;
            }
            states[observation.InstanceId] = state;
        }
    }
    private const string B = "docker:b";

    [Fact]
    public void Apply_Registered_AddsTheInstanceToItsServiceAndOwnsItsChecks()
    {
        var state = Fold(Registered(A));

        Assert.Equal([A], state.Instances.Keys);
        Assert.Equal([A], state.Services["web"].InstanceIds);
        Assert.Equal((1L, 1L, 1L, 1L), (state.Position, state.ServicePosition("web"), state.CatalogPosition, state.HealthPosition));
        Assert.Equal(new Dictionary<string, string> { [$"{A}-http"] = A, [$"{A}-tcp"] = A }, state.CheckOwners);
        Assert.Equal([A], state.InstancesOf("web").Select(i => i.InstanceId));
    }

    [Fact]
    public void Apply_ReRegisteredInAnotherService_MovesItAndTouchesBothServices()
    {
        var state = Fold(Registered(A, "web"), Registered(B, "web"), Registered(A, "api"));

        Assert.Equal([B], state.Services["web"].InstanceIds);
        Assert.Equal([A], state.Services["api"].InstanceIds);
        Assert.Equal((3L, 3L), (state.ServicePosition("web"), state.ServicePosition("api")));
        Assert.Equal(3, state.CatalogPosition);
        Assert.Equal("api", state.Instances[A].Registration!.Service);
    }

    [Fact]
    public void Apply_ReRegisteredInTheSameService_TouchesOnlyThatService()
    {
        var state = Fold(Registered(A, "web"), Registered(B, "api"), Registered(A, "web") with { Port = 9090 });

        Assert.Equal((3L, 2L), (state.ServicePosition("web"), state.ServicePosition("api")));
        Assert.Equal(9090, state.Instances[A].Registration!.Port);
    }

    [Fact]
    public void Apply_HealthChanged_MovesServiceAndHealthPositionsButNotTheCatalog()
    {
        var state = Fold(Registered(A, "web"), Registered(B, "api"), new InstanceHealthChanged(A, $"{A}-http", HealthStatus.Passing, "200 OK"));

        Assert.Equal(HealthStatus.Passing, state.Instances[A].Checks[$"{A}-http"].Status);
        Assert.Equal((3L, 2L), (state.ServicePosition("web"), state.ServicePosition("api")));
        Assert.Equal((2L, 3L, 3L), (state.CatalogPosition, state.HealthPosition, state.Position));
    }

    [Fact]
    public void Apply_MaintenanceChanged_MovesServiceAndHealthPositionsButNotTheCatalog()
    {
        var state = Fold(Registered(A), new InstanceMaintenanceChanged(A, true, "deploy"));

        Assert.True(state.Instances[A].InMaintenance);
        Assert.Equal((2L, 1L, 2L), (state.ServicePosition("web"), state.CatalogPosition, state.HealthPosition));
    }

    [Fact]
    public void Apply_Deregistered_RemovesInstanceAndItsChecksButKeepsTheEmptyService()
    {
        var state = Fold(Registered(A), Registered(B, "api"), new InstanceDeregistered(A, "die"));

        Assert.Equal([B], state.Instances.Keys);
        Assert.Empty(state.Services["web"].InstanceIds);
        Assert.Equal(3, state.ServicePosition("web"));
        Assert.DoesNotContain(A, state.CheckOwners.Values);
        Assert.Equal(2, state.CheckOwners.Count);
        Assert.Equal((3L, 3L), (state.CatalogPosition, state.HealthPosition));
        Assert.Empty(state.InstancesOf("web"));
    }

    [Fact]
    public void Apply_ReRegisteredWithoutACheck_ReleasesThatCheck()
    {
        var state = Fold(Registered(A, "web", HttpCheck, TcpCheck), Registered(A, "web", TcpCheck));

        Assert.Equal(new Dictionary<string, string> { ["web-tcp"] = A }, state.CheckOwners);
    }

    [Fact]
    public void Apply_CheckIdTakenOverByAnotherInstance_StaysWithItWhenTheFirstLeaves()
    {
        var state = Fold(Registered(A, "web", HttpCheck), Registered(B, "web", HttpCheck), new InstanceDeregistered(A, "die"));

        Assert.Equal(new Dictionary<string, string> { ["web-http"] = B }, state.CheckOwners);
    }

    [Fact]
    public void Apply_EnvironmentDefined_RecordsItsFallbackOnly()
    {
        var state = Fold(Registered(A), new EnvironmentDefined("feature-x", "integration"));

        Assert.Equal(new Dictionary<string, string> { ["feature-x"] = "integration" }, state.Environments);
        Assert.Equal((2L, 1L, 1L, 1L), (state.Position, state.CatalogPosition, state.HealthPosition, state.ServicePosition("web")));
    }

    public static TheoryData<string> EventsThatChangeNothingVisible => ["rejected", "health of unknown", "maintenance of unknown", "dereg of unknown"];

    [Theory]
    [MemberData(nameof(EventsThatChangeNothingVisible))]
    public void Apply_EventThatChangesNothingVisible_OnlyMovesThePosition(string which)
    {
        IEvent e = which switch
        {
            "rejected" => new ObservationRejected(A, "docker", "port 70000 is outside 0-65535", "{}"),
            "health of unknown" => new InstanceHealthChanged(B, "b-http", HealthStatus.Passing, ""),
            "maintenance of unknown" => new InstanceMaintenanceChanged(B, true, "deploy"),
            _ => new InstanceDeregistered(B, "die"),
        };
        var before = Fold(Registered(A));

        var after = RegistryProjection.Apply(before, Recorded(2, e));

        Assert.Equal(before with { Position = 2 }, after);
    }

    public static TheoryData<string> EventsNoViewReads => ["rejected", "dereg of unknown", "nginx applied", "nginx rejected", "source fact", "reconciled"];

    [Theory]
    [MemberData(nameof(EventsNoViewReads))]
    public void Apply_EventThatChangesNoInstanceServiceOrEnvironment_LeavesTheSameRegistry(string which)
    {
        IEvent e = which switch
        {
            "rejected" => new ObservationRejected(A, "docker", "port 70000 is outside 0-65535", "{}"),
            "dereg of unknown" => new InstanceDeregistered(B, "die"),
            "nginx applied" => new NginxConfigApplied("edge", "abc", 1, "/etc/nginx/mesh.conf"),
            "nginx rejected" => new NginxConfigRejected("edge", "abc", 1, "unknown directive"),
            "source fact" => new SourceFactRecorded("marathon", "node-1", "deployment_success", "{}"),
            _ => new SourceReconciled("docker", "node-1", "periodic", 1, 0, 0, 0),
        };
        var before = Fold(Registered(A));

        var after = RegistryProjection.Apply(before, Recorded(2, e));

        Assert.True(after.HasSameRegistryAs(before));
        Assert.Equal(2, after.Position);
    }

    public static TheoryData<string> EventsViewsRead => ["registered", "health", "maintenance", "deregistered", "environment"];

    [Theory]
    [MemberData(nameof(EventsViewsRead))]
    public void Apply_EventThatChangesAnInstanceOrEnvironment_IsNotTheSameRegistry(string which)
    {
        IEvent e = which switch
        {
            "registered" => Registered(B),
            "health" => new InstanceHealthChanged(A, $"{A}-http", HealthStatus.Critical, "503"),
            "maintenance" => new InstanceMaintenanceChanged(A, true, "deploy"),
            "deregistered" => new InstanceDeregistered(A, "die"),
            _ => new EnvironmentDefined("feature-x", "integration"),
        };
        var before = Fold(Registered(A));

        var after = RegistryProjection.Apply(before, Recorded(2, e));

        Assert.False(after.HasSameRegistryAs(before));
        Assert.False(before.HasSameRegistryAs(after));
    }

    [Fact]
    public void Apply_RecordsTheLogsTimeAsTheCheckTransitionTime()
    {
        var state = Fold(Registered(A), new InstanceHealthChanged(A, $"{A}-http", HealthStatus.Passing, "200 OK"));

        Assert.Equal(T0.AddSeconds(2), state.Instances[A].Checks[$"{A}-http"].Since);
        Assert.Equal(T0.AddSeconds(1), state.Instances[A].Checks[$"{A}-tcp"].Since);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fold_GivesWhatApplyingOneByOneGives(int seed)
    {
        var events = DecidedEvents(seed, observations: 3_000).Select((e, i) => Recorded(i + 1, e)).ToList();

        var oneByOne = events.Aggregate(RegistryState.Empty, RegistryProjection.Apply);
        var folded = RegistryProjection.Fold(events);
        var inTwoSteps = RegistryProjection.Fold(events.Skip(1_000), RegistryProjection.Fold(events.Take(1_000)));

        Assert.True(oneByOne.Instances.Count > 5);
        Assert.Equal(Json(oneByOne), Json(folded));
        Assert.Equal(Json(oneByOne), Json(inTwoSteps));
    }

    [Fact]
    public void Fold_LeavesTheStartStateAsItWas()
    {
        var start = Fold(Registered(A), Registered(B, "api"));
        var before = Json(start);

        RegistryProjection.Fold([Recorded(3, new InstanceDeregistered(A, "die")), Recorded(4, Registered(B, "web"))], start);

        Assert.Equal(before, Json(start));
    }

    [Fact]
    public void Apply_IsPure_FoldingTwiceGivesEqualStates()
    {
        IEvent[] events = [Registered(A), Registered(B, "api"), new InstanceHealthChanged(A, $"{A}-http", HealthStatus.Warning, "slow"), new InstanceDeregistered(B, "die")];

        Assert.Equal(Json(Fold(events)), Json(Fold(events)));
    }
}
