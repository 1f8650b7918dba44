using Mesh.Projections.Environments;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.Environments;

public sealed class EnvironmentViewTests
{
    /// <summary>
    /// integration runs web, redis and api; feature-x its own (failing) web; a → b → integration with b running
    /// redis; c ⇄ d (a cycle) with d running api.
    /// </summary>
    private static readonly RegistryState Landscape = Fold(
        In("integration", "i-web", "web"),
        In("integration", "i-redis", "redis"),
        In("integration", "i-api", "api"),
        In("feature-x", "x-web", "web", passing: false),
        new EnvironmentDefined("a", "b"),
        new EnvironmentDefined("b", "integration"),
        In("b", "b-redis", "redis"),
        new EnvironmentDefined("c", "d"),
        new EnvironmentDefined("d", "c"),
        In("d", "d-api", "api"));

    private static readonly EnvironmentView View = EnvironmentView.Of(Landscape);

    [Theory]
    [InlineData("integration", "web", "integration", "i-web")] // integration's own
    [InlineData("feature-x", "web", "feature-x", "x-web")] // own instances, even when none passes
    [InlineData("feature-x", "redis", "integration", "i-redis")] // does not run redis: integration's
    [InlineData("a", "redis", "b", "b-redis")] // a → b
    [InlineData("a", "web", "integration", "i-web")] // a → b → integration
    [InlineData("c", "api", "d", "d-api")] // c → d
    [InlineData("c", "web", "integration", "i-web")] // c → d → (c again: cut) → integration
    [InlineData("d", "redis", "integration", "i-redis")]
    [InlineData("nowhere", "web", "integration", "i-web")] // an unknown environment gets integration's
    public void Resolve_AnswersFromTheFirstEnvironmentOnTheChainThatRunsTheService(string env, string service, string answeredBy, string instance)
    {
        var resolution = View.Resolve(env, service);

        Assert.Equal((env, service, answeredBy), (resolution.Requested, resolution.Service, resolution.AnsweredBy));
        Assert.Equal([instance], resolution.Instances.Select(i => i.InstanceId));
        Assert.Equal(answeredBy != env, resolution.FellBack);
    }

    [Fact]
    public void Resolve_ServiceNoEnvironmentOnTheChainRuns_IsNotFound()
    {
        var resolution = View.Resolve("a", "billing");

        Assert.False(resolution.Found);
        Assert.Null(resolution.AnsweredBy);
        Assert.Empty(resolution.Instances);
    }

    [Fact]
    public void Resolve_OwnInstancesAllFailing_StaysInTheEnvironmentWithNothingPassing()
    {
        var resolution = View.Resolve("feature-x", "web");

        Assert.Equal("feature-x", resolution.AnsweredBy);
        Assert.Empty(resolution.Passing);
        Assert.Equal(["i-web"], View.Resolve("integration", "web").Passing.Select(i => i.InstanceId));
    }

    [Theory]
    [InlineData("integration", new[] { "integration" })]
    [InlineData("feature-x", new[] { "feature-x", "integration" })]
    [InlineData("a", new[] { "a", "b", "integration" })]
    [InlineData("c", new[] { "c", "d", "integration" })]
    [InlineData("d", new[] { "d", "c", "integration" })]
    [InlineData("nowhere", new[] { "nowhere", "integration" })]
    public void Chain_EndsAtIntegrationAndNeverRepeats(string env, string[] expected) =>
        Assert.Equal(expected, View.Chain(env));

    [Fact]
    public void Chain_FallbackToAnEnvironmentThatDoesNotExist_GoesOnToIntegration() =>
        Assert.Equal(["e", "ghost", "integration"], EnvironmentView.Of(Fold(new EnvironmentDefined("e", "ghost"))).Chain("e"));

    [Fact]
    public void Of_EmptyRegistry_HasOnlyIntegration()
    {
        var view = EnvironmentView.Of(RegistryState.Empty);

        var integration = Assert.Single(view.Environments.Values);
        Assert.Equal(("integration", null, false, 0), (integration.Name, integration.Fallback, integration.Defined, integration.InstanceCount));
        Assert.Equal(["feature-x", "integration"], view.Chain("feature-x"));
    }

    [Fact]
    public void Of_ListsEveryEnvironmentWithItsFallbackDefinitionAndServices()
    {
        var rows = View.Environments.Values.Select(e => (e.Name, e.Fallback, e.Defined, e.InstanceCount, string.Join(",", e.Services.Keys)));

        Assert.Equal(
        [
            ("a", "b", true, 0, ""),
            ("b", "integration", true, 1, "redis"),
            ("c", "d", true, 0, ""),
            ("d", "c", true, 1, "api"),
            ("feature-x", "integration", false, 1, "web"),
            ("integration", null, false, 3, "api,redis,web"),
        ], rows);
    }

    [Fact]
    public void Of_EnvironmentExistsWhileItHasInstancesAndGoesWithTheLast()
    {
        var two = Fold(In("feature-x", "x-1", "web"), In("feature-x", "x-2", "api"));
        var one = RegistryProjection.Apply(two, Recorded(3, new InstanceDeregistered("x-1", "die")));
        var none = RegistryProjection.Apply(one, Recorded(4, new InstanceDeregistered("x-2", "die")));

        Assert.Equal(2, EnvironmentView.Of(two).Environments["feature-x"].InstanceCount);
        Assert.Equal(["api"], EnvironmentView.Of(one).Environments["feature-x"].Services.Keys);
        Assert.False(EnvironmentView.Of(none).Exists("feature-x"));
        Assert.True(EnvironmentView.Of(none).Exists("integration"));
    }

    [Fact]
    public void Of_DefinedEnvironment_OutlivesItsLastInstance()
    {
        var state = Fold(new EnvironmentDefined("feature-x", "staging"), In("feature-x", "x-1", "web"), new InstanceDeregistered("x-1", "die"));

        var entry = EnvironmentView.Of(state).Environments["feature-x"];

        Assert.Equal(("staging", true, 0), (entry.Fallback, entry.Defined, entry.InstanceCount));
    }

    [Fact]
    public void Of_RedefinedEnvironment_FollowsTheLatestFallback()
    {
        var state = Fold(new EnvironmentDefined("a", "b"), new EnvironmentDefined("a", "integration"), In("b", "b-redis", "redis"), In("integration", "i-redis", "redis"));

        Assert.Equal("integration", EnvironmentView.Of(state).Resolve("a", "redis").AnsweredBy);
    }

    [Fact]
    public void Of_InstanceMovedToAnotherEnvironment_ServesOnlyThere()
    {
        var state = Fold(In("feature-x", "x-1", "web"), In("feature-y", "x-1", "web"));
        var view = EnvironmentView.Of(state);

        Assert.False(view.Exists("feature-x"));
        Assert.Equal("feature-y", view.Resolve("feature-y", "web").AnsweredBy);
    }

    /// <summary>A registration of <paramref name="service"/> in <paramref name="env"/>, passing or critical.</summary>
    private static InstanceRegistered In(string env, string id, string service, bool passing = true) =>
        Registered(id, service, (passing ? TcpCheck : HttpCheck) with { CheckId = $"{id}-check" }) with { Env = env };
}
