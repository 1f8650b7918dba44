using System.Text.Json;
using Mesh.Projections.History;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;
using static Mesh.Projections.Tests.History.HistoryFixtures;

namespace Mesh.Projections.Tests.History;

public sealed class RegistryDiffTests
{
    private static RegistryDiff Diff(long from, long to) => RegistryDiff.Between(StateAt(Incident, from), StateAt(Incident, to));

    // The diff's records hold immutable arrays, which records compare by reference: compare what a client would get.
    private static string Json(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions(EventSerializer.Options) { WriteIndented = true });

    private static InstanceSummary Summary(string id, string service, string address, int port, string status = "passing") =>
        new(id, service, "integration", address, port, "1.0.0", status);

    private static RegistryDiff Expected(long from, long to) => new(from, to, [], [], [], [], [], [], []);

    [Fact]
    public void Between_DegradationMaintenanceAndARestartOnAnotherPort_ListsHealthRegistrationAndRouteChanges()
    {
        var diff = Diff(3, 10);

        Assert.Equal(Json(Expected(3, 10) with
        {
            HealthChanged = [new HealthChange(Db1, "db", "passing", "critical"), new HealthChange(Web2, "web", "passing", "critical")],
            Changed =
            [
                new RegistrationChange(Web1, "web", ["port", "routes"], Summary(Web1, "web", "10.0.0.1", 8080), Summary(Web1, "web", "10.0.0.1", 9090)),
            ],
            RoutesAdded = [new RouteSummary("shop.example.com", "/", "web", ["10.0.0.1:9090"])],
            RoutesChanged =
            [
                new RouteChange("db.integration.test.mesh", "/", "db", "db", ["10.0.0.3:5432"], []),
                new RouteChange("db.mesh", "/", "db", "db", ["10.0.0.3:5432"], []),
                new RouteChange("web.integration.test.mesh", "/", "web", "web", ["10.0.0.1:8080", "10.0.0.2:8080"], ["10.0.0.1:9090"]),
                new RouteChange("web.mesh", "/", "web", "web", ["10.0.0.1:8080", "10.0.0.2:8080"], ["10.0.0.1:9090"]),
            ],
        }), Json(diff));
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
    }

    [Fact]
    public void Between_AcrossADeregistration_ListsTheInstanceAsRemovedAndItsRoutesEmptied()
    {
        Assert.Equal(Json(Expected(6, 7) with
        {
            Removed = [Summary(Web1, "web", "10.0.0.1", 8080)],
            RoutesChanged =
            [
                new RouteChange("web.integration.test.mesh", "/", "web", "web", ["10.0.0.1:8080"], []),
                new RouteChange("web.mesh", "/", "web", "web", ["10.0.0.1:8080"], []),
            ],
        }), Json(Diff(6, 7)));
    }

    [Fact]
    public void Between_AcrossARegistration_ListsTheInstanceAsAdded()
    {
        Assert.Equal(Json(Expected(7, 8) with
        {
            Added = [Summary(Web1, "web", "10.0.0.1", 9090)],
            RoutesChanged =
            [
                new RouteChange("web.integration.test.mesh", "/", "web", "web", [], ["10.0.0.1:9090"]),
                new RouteChange("web.mesh", "/", "web", "web", [], ["10.0.0.1:9090"]),
            ],
        }), Json(Diff(7, 8)));
    }

    [Fact]
    public void Between_DeregisteredAndRegisteredAgainInBetween_IsAChangeNotARemovalAndAnAddition()
    {
        var diff = Diff(6, 8);

        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Equal(["port"], Assert.Single(diff.Changed).Fields);
    }

    [Fact]
    public void Between_FromTheEmptyRegistry_AddsEveryInstanceAndItsGeneratedRoutes_InOrder()
    {
        var diff = Diff(0, 3);

        Assert.Equal(
            Json(new[] { Summary(Db1, "db", "10.0.0.3", 5432), Summary(Web1, "web", "10.0.0.1", 8080), Summary(Web2, "web", "10.0.0.2", 8080) }),
            Json(diff.Added));
        Assert.Equal(
            ["db.integration.test.mesh", "db.mesh", "web.integration.test.mesh", "web.mesh"],
            diff.RoutesAdded.Select(r => r.Host));
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080"], diff.RoutesAdded[^1].Destinations);
        Assert.True(diff.Removed.IsEmpty && diff.HealthChanged.IsEmpty && diff.Changed.IsEmpty && diff.RoutesChanged.IsEmpty);
    }

    [Fact]
    public void Between_BackwardsInTime_SwapsAddedAndRemoved()
    {
        var diff = Diff(3, 0);

        Assert.Equal((3L, 0L), (diff.From, diff.To));
        Assert.Equal([Db1, Web1, Web2], diff.Removed.Select(i => i.InstanceId));
        Assert.Equal(["db.integration.test.mesh", "db.mesh", "web.integration.test.mesh", "web.mesh"], diff.RoutesRemoved.Select(r => r.Host));
        Assert.Empty(diff.Added);
        Assert.Empty(diff.RoutesAdded);
    }

    [Fact]
    public void Between_OverEventsThatChangeNoInstance_IsEmpty()
    {
        var diff = Diff(10, 12);

        Assert.True(diff.IsEmpty);
        Assert.Equal((10L, 12L), (diff.From, diff.To));
    }

    [Fact]
    public void Between_AWarningThatBecomesCritical_IsOneHealthChange()
    {
        Assert.Equal(Json(new[] { new HealthChange(Web2, "web", "warning", "critical") }), Json(Diff(4, 5).HealthChanged));
        Assert.Empty(Diff(5, 6).HealthChanged); // a rejection changes nothing
    }

    [Fact]
    public void Between_ReRegisteredAsAnotherService_IsAChangeOfServiceUnderTheNewName()
    {
        var log = Log(Instance(Web1, "web", "10.0.0.1", 8080), Instance(Web1, "api", "10.0.0.1", 8080));

        var diff = RegistryDiff.Between(StateAt(log, 1), StateAt(log, 2));

        var change = Assert.Single(diff.Changed);
        Assert.Equal((Web1, "api", "web"), (change.InstanceId, change.Service, change.Before.Service));
        Assert.Equal(["service"], change.Fields);
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        // web.mesh stays (a service once known keeps its host), with nothing behind it; api's hosts are new.
        Assert.Equal(["api.integration.test.mesh", "api.mesh"], diff.RoutesAdded.Select(r => r.Host));
        Assert.Equal(["web.integration.test.mesh", "web.mesh"], diff.RoutesChanged.Select(r => r.Host));
    }

    [Fact]
    public void Between_EveryRegistrationField_IsNamedWhenItChanges()
    {
        var before = Instance(Web1, "web", "10.0.0.1", 8080);
        var after = before with
        {
            Env = "feature-x",
            Address = "10.0.0.9",
            Port = 9090,
            Tags = ["v2"],
            Version = "2.0.0",
            Routes = [new RouteSpec("shop.example.com")],
            Meta = before.Meta.Add("team", "shop"), // not one an operator diffs
        };

        var diff = RegistryDiff.Between(Fold(before), Fold(after));

        Assert.Equal(["env", "address", "port", "tags", "version", "routes"], Assert.Single(diff.Changed).Fields);
    }

    [Fact]
    public void Between_ARouteTakenOverByAnotherService_IsAChangeOfCluster()
    {
        var shop = new RouteSpec("shop.example.com");
        var log = Log(
            Instance(Web1, "web", "10.0.0.1", 8080, shop),
            Instance(Web2, "store", "10.0.0.2", 8080, shop),
            new InstanceDeregistered(Web1, "exit 0"));

        var diff = RegistryDiff.Between(StateAt(log, 2), StateAt(log, 3));

        var change = Assert.Single(diff.RoutesChanged, r => r.Host == "shop.example.com");
        Assert.Equal(Json(new RouteChange("shop.example.com", "/", "web", "store", ["10.0.0.1:8080"], ["10.0.0.2:8080"])), Json(change));
    }

    [Fact]
    public void Between_IPv6Destinations_AreBracketed()
    {
        var diff = RegistryDiff.Between(RegistryState.Empty, Fold(Instance(Web1, "web", "fd00::7", 8080)));

        Assert.Equal(["[fd00::7]:8080"], diff.RoutesAdded.Single(r => r.Host == "web.mesh").Destinations);
    }

    [Fact]
    public void Between_OtherDomains_AreTheOptionsOnes()
    {
        var diff = RegistryDiff.Between(RegistryState.Empty, Fold(Instance(Web1, "web", "10.0.0.1", 8080)), new RouteTableOptions("corp", "dev.corp"));

        Assert.Equal(["web.corp", "web.integration.dev.corp"], diff.RoutesAdded.Select(r => r.Host));
    }

    [Fact]
    public void Between_AnyTwoPositionsOfTheIncident_AgreesWithTheStates()
    {
        var states = States(Incident);

        foreach (var a in states)
            foreach (var b in states)
                RegistryDiffPropertyTests.AssertAgrees(RegistryDiff.Between(a, b), a, b);
    }

    [Fact]
    public void Diff_AsJsonWithTheApisSettings_IsPlainFieldsAndReadsBack()
    {
        var api = new JsonSerializerOptions { PropertyNamingPolicy = null }; // the HTTP API's: no enum or other converters
        var diff = Diff(3, 10);

        var json = JsonSerializer.Serialize(diff, api);
        var read = JsonSerializer.Deserialize<RegistryDiff>(json, api);

        Assert.Contains("\"From\":\"passing\",\"To\":\"critical\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Fields\":[\"port\",\"routes\"]", json, StringComparison.Ordinal);
        Assert.DoesNotContain("IsEmpty", json, StringComparison.Ordinal);
        Assert.Equal(json, JsonSerializer.Serialize(read, api));
    }
}
