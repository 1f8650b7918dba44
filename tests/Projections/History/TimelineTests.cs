using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.Projections.History;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;
using static Mesh.Projections.Tests.History.HistoryFixtures;

namespace Mesh.Projections.Tests.History;

public sealed class TimelineTests
{
    private static (long, string, string?, string?, string)[] Rows(Timeline timeline) =>
        [.. timeline.Entries.Select(e => (e.Position, e.Type, e.InstanceId, e.Service, e.Summary))];

    private static string Json(object value) => JsonSerializer.Serialize(value, EventSerializer.Options);

    private static async IAsyncEnumerable<RecordedEvent> Async(IEnumerable<RecordedEvent> events, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var e in events)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            yield return e;
        }
    }

    [Fact]
    public void Of_AService_ListsItsInstancesEventsInOrder_WithSummaries()
    {
        var timeline = Timeline.Of(Incident, "web");

        Assert.Equal(("web", 12L), (timeline.Name, timeline.Position));
        Assert.Equal(
        [
            (1, "InstanceRegistered", Web1, "web", "registered web at 10.0.0.1:8080 in integration"),
            (2, "InstanceRegistered", Web2, "web", "registered web at 10.0.0.2:8080 in integration"),
            (4, "InstanceHealthChanged", Web2, "web", "check web-2-ttl → warning: slow: 900 ms"),
            (5, "InstanceHealthChanged", Web2, "web", "check web-2-ttl → critical: connection refused"),
            (6, "ObservationRejected", Web2, "web", "rejected from docker: port 70000 is outside 0-65535"),
            (7, "InstanceDeregistered", Web1, "web", "deregistered (exit 137)"),
            (8, "InstanceRegistered", Web1, "web", "registered web at 10.0.0.1:9090 in integration"),
            (10, "InstanceRegistered", Web1, "web", "re-registered web at 10.0.0.1:9090 in integration (routes changed)"),
            (11, "SourceReconciled", null, null, "docker on node-1 reconciled (periodic): 3 running, 1 registered, 0 deregistered, 1 rejected"),
            (12, "NginxConfigApplied", null, null, "nginx edge applied config 3f2a9c1b7d4e rendered at position 11"),
        ], Rows(timeline));
    }

    [Fact]
    public void Of_AnInstanceId_ListsThatInstancesEventsInOrder_WithSummaries()
    {
        var timeline = Timeline.Of(Incident, Web2);

        Assert.Equal(
        [
            (2, "InstanceRegistered", Web2, "web", "registered web at 10.0.0.2:8080 in integration"),
            (4, "InstanceHealthChanged", Web2, "web", "check web-2-ttl → warning: slow: 900 ms"),
            (5, "InstanceHealthChanged", Web2, "web", "check web-2-ttl → critical: connection refused"),
            (6, "ObservationRejected", Web2, "web", "rejected from docker: port 70000 is outside 0-65535"),
            (11, "SourceReconciled", null, null, "docker on node-1 reconciled (periodic): 3 running, 1 registered, 0 deregistered, 1 rejected"),
            (12, "NginxConfigApplied", null, null, "nginx edge applied config 3f2a9c1b7d4e rendered at position 11"),
        ], Rows(timeline));
    }

    [Fact]
    public void Of_Maintenance_IsSummarisedWithItsReason()
    {
        var timeline = Timeline.Of(Incident, "db");

        Assert.Equal([3L, 9L, 11L, 12L], timeline.Entries.Select(e => e.Position));
        Assert.Equal("maintenance on: kernel upgrade", timeline.Entries[1].Summary);
        Assert.Equal("maintenance off", Timeline.Of(Log(Instance(Db1, "db", "10.0.0.3", 5432), new InstanceMaintenanceChanged(Db1, false, "")), "db").Entries[^1].Summary);
    }

    [Fact]
    public void Of_EveryEntry_CarriesTheStoresTimeTheSourcesFactsAndTheEventItself()
    {
        var timeline = Timeline.Of(Incident, "web");

        Assert.All(timeline.Entries, entry =>
        {
            var recorded = Incident[(int)entry.Position - 1];
            Assert.Equal(T0.AddSeconds(entry.Position), entry.RecordedAt);
            Assert.Equal(T0.AddSeconds(entry.Position - 0.5), entry.SourceTime);
            Assert.Equal($"fact-{entry.Position}", entry.SourceFactId);
            Assert.Equal($"corr-{entry.Position}", entry.CorrelationId);
            Assert.Same(recorded.Event, entry.Event);
        });
    }

    [Fact]
    public void Of_AnInstanceReRegisteredAsAnotherService_AttributesEachEventToTheServiceItWasFor()
    {
        var log = Log(
            Instance(Web1, "web", "10.0.0.1", 8080),
            new InstanceHealthChanged(Web1, "web-1-ttl", HealthStatus.Critical, "refused"),
            Instance(Web1, "api", "10.0.0.1", 8080),
            new InstanceHealthChanged(Web1, "web-1-ttl", HealthStatus.Passing, "ok"),
            new InstanceDeregistered(Web1, "exit 0"));

        Assert.Equal(
        [
            (1, "InstanceRegistered", Web1, "web", "registered web at 10.0.0.1:8080 in integration"),
            (2, "InstanceHealthChanged", Web1, "web", "check web-1-ttl → critical: refused"),
            (3, "InstanceRegistered", Web1, "api", "re-registered as api at 10.0.0.1:8080 in integration (was web)"),
        ], Rows(Timeline.Of(log, "web")));
        Assert.Equal([3L, 4L, 5L], Timeline.Of(log, "api").Entries.Select(e => e.Position));
        Assert.Equal(["web", "web", "api", "api", "api"], Timeline.Of(log, Web1).Entries.Select(e => e.Service));
    }

    [Fact]
    public void Of_EventsAboutAnInstanceNotRegistered_SaySoAndBelongToNoService()
    {
        var log = Log(
            Instance(Web1, "web", "10.0.0.1", 8080),
            new InstanceHealthChanged(Web2, "web-2-ttl", HealthStatus.Critical, "refused"),
            new InstanceDeregistered(Web2, "exit 1"),
            new ObservationRejected(Web2, "docker", "service 'Web' is not a DNS label", "{}"));

        Assert.Equal(
        [
            (2, "InstanceHealthChanged", Web2, null, "check web-2-ttl → critical: refused (not registered)"),
            (3, "InstanceDeregistered", Web2, null, "deregistered (exit 1) (not registered)"),
            (4, "ObservationRejected", Web2, null, "rejected from docker: service 'Web' is not a DNS label"),
        ], Rows(Timeline.Of(log, Web2)));
        Assert.Equal([1L], Timeline.Of(log, "web").Entries.Select(e => e.Position));
    }

    [Fact]
    public void Of_LongOutputs_AreCutToOneShortLine()
    {
        var output = "HTTP 500\n" + new string('x', 500);
        var log = Log(Instance(Web1, "web", "10.0.0.1", 8080), new InstanceHealthChanged(Web1, "web-1-ttl", HealthStatus.Critical, new string('y', 500)), new InstanceHealthChanged(Web1, "web-1-ttl", HealthStatus.Warning, output));

        var entries = Timeline.Of(log, "web").Entries;

        Assert.Equal($"check web-1-ttl → critical: {new string('y', 119)}…", entries[1].Summary);
        Assert.Equal("check web-1-ttl → warning: HTTP 500", entries[2].Summary);
        Assert.Equal(output, ((InstanceHealthChanged)entries[2].Event).Output);
    }

    [Fact]
    public void Of_NginxConfigs_ListsOnlyThoseThatCarriedTheServicesChanges()
    {
        var log = Log(
            Instance(Db1, "db", "10.0.0.3", 5432),
            new NginxConfigApplied("edge", "aaaa", 1, "/etc/nginx/mesh.conf"), // before web existed
            Instance(Web1, "web", "10.0.0.1", 8080),
            new NginxConfigRejected("edge", "bbbb", 3, "nginx: [emerg] unknown directive"), // web's change, refused
            new NginxConfigApplied("edge", "cccc", 4, "/etc/nginx/mesh.conf"), // web's change, live
            new InstanceMaintenanceChanged(Db1, true, "backup"),
            new NginxConfigApplied("edge", "dddd", 6, "/etc/nginx/mesh.conf"), // db's change only
            new NginxConfigApplied("other", "eeee", 6, "/etc/nginx/mesh.conf")); // the other target had not carried it yet

        Assert.Equal(
        [
            (3, "InstanceRegistered", Web1, "web", "registered web at 10.0.0.1:8080 in integration"),
            (4, "NginxConfigRejected", null, null, "nginx edge refused config bbbb rendered at position 3: nginx: [emerg] unknown directive"),
            (5, "NginxConfigApplied", null, null, "nginx edge applied config cccc rendered at position 4"),
            (8, "NginxConfigApplied", null, null, "nginx other applied config eeee rendered at position 6"),
        ], Rows(Timeline.Of(log, "web")));
    }

    [Fact]
    public void Of_EnvironmentDefinitions_AreListedWhenTheyChangeWhichInstancesAnswerForTheService()
    {
        var log = Log(
            Instance(Web1, "web", "10.0.0.1", 8080),
            Instance(Web2, "web", "10.0.0.2", 8080) with { Env = "staging" },
            Instance(Db1, "db", "10.0.0.3", 5432),
            new EnvironmentDefined("feature-x", "staging"), // web.feature-x: integration's web → staging's
            new EnvironmentDefined("feature-y", "integration")); // answers as before: integration

        Assert.Equal(
            [(4L, "EnvironmentDefined", (string?)null, (string?)null, "environment feature-x falls back to staging")],
            Rows(Timeline.Of(log, "web")).Where(r => r.Item1 > 3));
        Assert.Equal([3L], Timeline.Of(log, "db").Entries.Select(e => e.Position));
    }

    [Fact]
    public void Of_Reconciles_AreListedForTheNodesTheServiceRanOn()
    {
        var log = Log(
            Instance(Web1, "web", "10.0.0.1", 8080),
            new InstanceDeregistered(Web1, "reconcile"),
            new SourceReconciled("docker", "node-1", "connect", 0, 0, 1, 0),
            new SourceReconciled("docker", "node-2", "connect", 4, 0, 0, 0),
            new SourceReconciled("marathon", "node-1", "connect", 4, 0, 0, 0));

        Assert.Equal([1L, 2L, 3L], Timeline.Of(log, "web").Entries.Select(e => e.Position));
    }

    [Fact]
    public void Of_FromASnapshot_ListsWhatTheWholeLogListsAfterIt()
    {
        var whole = Timeline.Of(Incident, "web");

        var fromSnapshot = Timeline.Of(Incident.Skip(5), "web", StateAt(Incident, 5));

        Assert.Equal(Rows(whole).Where(r => r.Item1 > 5), Rows(fromSnapshot));
        Assert.Equal(12, fromSnapshot.Position);
    }

    [Fact]
    public void Of_NoEvents_IsEmptyAtTheStartPosition()
    {
        Assert.Equal(("web", 0L), (Timeline.Of([], "web").Name, Timeline.Of([], "web").Position));
        Assert.Empty(Timeline.Of([], "web").Entries);
        Assert.Empty(Timeline.Of(Incident, "nothing").Entries);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Of_ABlankName_IsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => Timeline.Of(Incident, name));
    }

    [Theory]
    [InlineData("web")]
    [InlineData("db")]
    [InlineData(Web1)]
    public async Task OfAsync_GivesWhatOfGives(string name)
    {
        var timeline = await Timeline.OfAsync(Async(Incident, TestContext.Current.CancellationToken), name, ct: TestContext.Current.CancellationToken);

        Assert.Equal(Json(Timeline.Of(Incident, name)), Json(timeline));
    }

    [Fact]
    public async Task OfAsync_Cancelled_Stops()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Timeline.OfAsync(Async(Incident, TestContext.Current.CancellationToken), "web", ct: cts.Token));
    }

    [Fact]
    public void Entry_AsJsonWithTheApisSettings_CarriesTheEventsOwnFields()
    {
        var api = new JsonSerializerOptions { PropertyNamingPolicy = null };

        var json = JsonSerializer.Serialize(Timeline.Of(Incident, Web2).Entries[2], api);

        Assert.Contains("\"Event\":{\"InstanceId\":\"docker:web-2\",\"CheckId\":\"web-2-ttl\",\"Status\":2,\"Output\":\"connection refused\"}", json, StringComparison.Ordinal);
        Assert.Contains("\"SourceFactId\":\"fact-5\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Type\":\"InstanceHealthChanged\"", json, StringComparison.Ordinal);
    }

    public static TheoryData<int> Seeds => [1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Of_RandomLogs_ListsEveryEventOfTheInstanceAndOfTheServiceItWasIn(int seed)
    {
        var log = RandomLog(seed, 400);
        var states = States(log);
        const string id = "docker:i3", service = "svc-1";

        var ofInstance = Timeline.Of(log, id).Entries.Where(e => e.InstanceId is not null).Select(e => e.Position);
        var ofService = Timeline.Of(log, service).Entries.Where(e => e.InstanceId is not null).Select(e => e.Position);

        Assert.Equal(log.Where(e => e.Event is IInstanceEvent ie && ie.InstanceId == id).Select(e => e.Position), ofInstance);
        Assert.Equal(
            log.Where(e => e.Event is IInstanceEvent ie && ServicesAt(ie, states[(int)e.Position - 1]).Contains(service)).Select(e => e.Position),
            ofService);
        Assert.NotEmpty(ofService);

        // The service it was registered in before the event, and the one it was registered into.
        static string?[] ServicesAt(IInstanceEvent e, Projections.State.RegistryState before) =>
            [before.Instances.GetValueOrDefault(e.InstanceId)?.Registration?.Service, (e as InstanceRegistered)?.Service];
    }
}
