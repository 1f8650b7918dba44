using Mesh.Registry.Events;
using Mesh.Registry.Sources.Marathon;
using Mesh.Registry.Store;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

/// <summary>The Marathon source following a Marathon STAND-IN (see <see cref="MarathonStandIn"/>), not a real Marathon.</summary>
public sealed class MarathonSourceMarathonStandInTests
{
    private const string CartApp = """
        {"apps":[{"id":"/shop/cart","labels":{"HAPROXY_0_VHOST":"cart.example.org"},"healthChecks":[{"protocol":"HTTP","path":"/"}],"tasks":[]}]}
        """;

    private static string Status(string taskId, string status, string appId = "/shop/cart", int port = 31000) =>
        $$"""{"eventType":"status_update_event","timestamp":"2024-01-01T00:00:00.000Z","slaveId":"s1","taskId":"{{taskId}}","taskStatus":"{{status}}","appId":"{{appId}}","host":"10.1.1.1","ports":[{{port}}],"version":"v1"}""";

    private static string Health(string taskId, bool alive) =>
        $$"""{"eventType":"health_status_changed_event","timestamp":"2024-01-01T00:00:01.000Z","appId":"/shop/cart","taskId":"{{taskId}}","version":"v1","alive":{{(alive ? "true" : "false")}}}""";

    [Fact]
    public async Task Deploy_StagingRunningHealthyUnhealthyKillAndAppRemoval_RegistryFollowsEachStep()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = CartApp;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);

        marathon.Send("status_update_event", Status("cart.1", "TASK_STAGING"));
        await bed.UntilAsync(() => bed.Status.Current.Ignored >= 1, "the staging update counted as ignored");
        Assert.Null(bed.Find("cart.1"));

        marathon.Send("status_update_event", Status("cart.1", "TASK_RUNNING"));
        await bed.UntilAsync(() => bed.Find("cart.1") is not null, "cart.1 registered");
        var registered = bed.Find("cart.1")!;
        Assert.Equal("cart-shop", registered.Registration!.Service);
        Assert.Equal("10.1.1.1", registered.Registration.Address);
        Assert.Equal(31000, registered.Registration.Port);
        Assert.Equal([new RouteSpec("cart.example.org")], registered.Registration.Routes);
        Assert.Equal(HealthStatus.Critical, registered.Status);

        marathon.Send("health_status_changed_event", Health("cart.1", alive: true));
        await bed.UntilAsync(() => bed.Find("cart.1")?.Status == HealthStatus.Passing, "cart.1 healthy");

        // Scale up, then a failed health check on the new task.
        marathon.Send("status_update_event", Status("cart.2", "TASK_RUNNING", port: 31001));
        marathon.Send("health_status_changed_event", Health("cart.2", alive: false));
        await bed.UntilAsync(() => bed.Find("cart.2") is { Status: HealthStatus.Critical, Version: > 0 }, "cart.2 registered, unhealthy");

        // Scale down / kill.
        marathon.Send("status_update_event", Status("cart.2", "TASK_KILLED", port: 31001));
        await bed.UntilAsync(() => bed.Find("cart.2") is null, "cart.2 deregistered");
        var events = await EventsAsync(bed, "cart.2");
        Assert.Equal("TASK_KILLED", Assert.IsType<InstanceDeregistered>(events[^1]).Reason);

        // App removal.
        marathon.Send("app_terminated_event", """{"eventType":"app_terminated_event","timestamp":"2024-01-01T00:00:02.000Z","appId":"/shop/cart"}""");
        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 0, "every cart task deregistered");
        Assert.Equal("app_terminated_event", Assert.IsType<InstanceDeregistered>((await EventsAsync(bed, "cart.1"))[^1]).Reason);
    }

    [Fact]
    public async Task InstanceEventsOfNewerMarathon_ReachTheTaskTheInstanceRuns()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = CartApp;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);
        const string Task = "shop_cart.instance-c7c311a4._app.1";

        marathon.Send("status_update_event", Status(Task, "TASK_RUNNING"));
        await bed.UntilAsync(() => bed.Find(Task) is not null, "the task registered");
        marathon.Send("instance_health_changed_event",
            """{"instanceId":"shop_cart.instance-c7c311a4","healthy":true,"runSpecId":"/shop/cart","timestamp":"2024-01-01T00:00:01.000Z","eventType":"instance_health_changed_event"}""");
        await bed.UntilAsync(() => bed.Find(Task)?.Status == HealthStatus.Passing, "the instance's health on its task");

        marathon.Send("instance_changed_event",
            """{"instanceId":"shop_cart.instance-c7c311a4","condition":"Killed","runSpecId":"/shop/cart","host":"10.1.1.1","timestamp":"2024-01-01T00:00:02.000Z","eventType":"instance_changed_event"}""");
        await bed.UntilAsync(() => bed.Find(Task) is null, "the task deregistered with its instance");
        Assert.Equal("Killed", Assert.IsType<InstanceDeregistered>((await EventsAsync(bed, Task))[^1]).Reason);
    }

    [Fact]
    public async Task PortsCarryingDifferentServices_OneInstancePerPort_AllGoWithTheTask()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = """
            {"apps":[{"id":"/shop/cart","labels":{},"portDefinitions":[{"port":10000,"labels":{"mesh.service":"web"}},{"port":10001,"labels":{"mesh.service":"metrics"}}],"tasks":[
              {"id":"cart.1","appId":"/shop/cart","host":"10.1.1.1","ports":[31000,31001],"state":"TASK_RUNNING"}]}]}
            """;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);
        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 2, "both port services registered");
        Assert.Equal(["cart.1:0", "cart.1:1"], bed.RegisteredTasks());
        Assert.Equal("metrics", bed.Find("cart.1:1")!.Registration!.Service);
        Assert.Equal(31001, bed.Find("cart.1:1")!.Registration!.Port);

        marathon.Send("status_update_event", Status("cart.1", "TASK_FAILED"));

        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 0, "both deregistered with the task");
    }

    [Fact]
    public async Task StreamDiesWhileTasksChange_Reconnects_ReconcileFixesTheRegistry()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks.json");
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);
        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 3, "the three nginx-green tasks registered");
        Assert.All(bed.RegisteredTasks(), t => Assert.Equal(HealthStatus.Passing, bed.Find(t)!.Status));

        // The stream dies; meanwhile one task goes and the app list changes (no event will tell).
        var gone = bed.RegisteredTasks()[0];
        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks-vhost.json");
        var reconciles = bed.Status.Current.Reconciles;
        marathon.DropStreams();

        // The view the test reads folds the log a moment after the reconcile appends: wait for the exact set.
        string[] afterReconcile = ["pywebserver.8cad6a69-6ca8-11e7-beb2-0e2beceebfcc"];
        await bed.UntilAsync(
            () => bed.Status.Current.Reconciles > reconciles && marathon.OpenStreams > 0 && bed.RegisteredTasks().SequenceEqual(afterReconcile),
            "a reconnect, and its reconcile applied");
        Assert.Equal("reconcile", Assert.IsType<InstanceDeregistered>((await EventsAsync(bed, gone))[^1]).Reason);
        Assert.Equal(new SourceReconciled("marathon", "marathon", MarathonSource.Connect, 1, 1, 3, 0), bed.Status.Current.LastReconcile);
    }

    [Fact]
    public async Task EventsMissedWhileConnected_PeriodicReconcileFixesAndCountsThem()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks.json");
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(true, o => o.ReconcileInterval = TimeSpan.FromMilliseconds(50), marathon.Url);
        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 3, "three tasks registered");
        var opened = marathon.StreamsOpened;

        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks-vhost.json");

        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 1, "the periodic reconcile applied the new listing");
        await bed.UntilAsync(() => bed.Status.Current.FixedTotal >= 4 + 3, "the fixes counted");
        Assert.Equal(opened, marathon.StreamsOpened);
        Assert.Equal(MarathonSource.Periodic, bed.Status.Current.LastReconcile!.Trigger);
    }

    [Fact]
    public async Task LeaderChangesMidStream_StandbyRedirects_ConvergesToTheNewLeadersApps()
    {
        await using var oldLeader = await MarathonStandIn.StartAsync();
        await using var newLeader = await MarathonStandIn.StartAsync();
        oldLeader.AppsJson = MarathonFixtures.Read("apps-embed-tasks.json");
        newLeader.AppsJson = MarathonFixtures.Read("apps-embed-tasks-legacy.json");
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(oldLeader.Url);
        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 3, "the old leader's tasks registered");

        oldLeader.RedirectTo = newLeader.Url;
        oldLeader.DropStreams();

        string[] newLeadersTasks =
            ["nginx-blue.3a58a46a-c937-11e5-9836-026ee08d9f6f", "nginx-green.0dbabba6-c931-11e5-9836-026ee08d9f6f",
             "nginx-green.1883a887-c931-11e5-9836-026ee08d9f6f", "nginx-green.23532518-c931-11e5-9836-026ee08d9f6f"];
        // The reconcile registers the new leader's tasks before it deregisters the old one's: a count alone can match
        // half-way, so wait for exactly the new leader's set.
        await bed.UntilAsync(() => bed.Status.Current.Leader == newLeader.Url.TrimEnd('/') && bed.RegisteredTasks().SequenceEqual(newLeadersTasks),
            "the new leader's four tasks, and only those");

        // Events now come from the new leader's stream.
        newLeader.AppsJson = CartApp;
        newLeader.Send("status_update_event", Status("cart.9", "TASK_RUNNING"));
        await bed.UntilAsync(() => bed.Find("cart.9") is not null, "an event from the new leader applied");
    }

    [Fact]
    public async Task FirstUrlUnreachable_FailsOverToTheNext()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks-vhost.json");
        await using var bed = new MarathonSourceTestBed();

        await bed.StartAsync("http://127.0.0.1:1", marathon.Url);

        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 1, "the second master's task registered");
        Assert.True(bed.Status.Current.Failures >= 1);
    }

    [Fact]
    public async Task AppListingFails_SourceRetries_RegistersOnceTheLeaderAnswers()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = MarathonFixtures.Read("apps-embed-tasks-vhost.json");
        marathon.AppsFailing = true;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(false, marathon.Url);

        await bed.UntilAsync(() => bed.Status.Current.Failures >= 2, "repeated failed reconciles");
        Assert.Empty(bed.RegisteredTasks());
        marathon.AppsFailing = false;

        await bed.UntilAsync(() => bed.RegisteredTasks().Length == 1, "the task registered once the listing works");
    }

    [Fact]
    public async Task GarbageLineInTheStream_Rejected_NextEventsStillApply()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = CartApp;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);
        var opened = marathon.StreamsOpened;

        marathon.SendRaw("event: status_update_event\ndata: {\"taskId\": garbage!!\n\n");
        marathon.SendRaw("data: \u0001\u0002 not json\n\n");
        marathon.Send("status_update_event", Status("cart.1", "TASK_RUNNING"));

        await bed.UntilAsync(() => bed.Find("cart.1") is not null, "the event after the garbage applied");
        Assert.Equal(2, bed.Status.Current.Malformed);
        Assert.Equal(opened, marathon.StreamsOpened);
    }

    [Fact]
    public async Task CapturedStreamWithExtraBlankLines_Replayed_EveryEventHandled()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);

        marathon.SendRaw(MarathonFixtures.Read("sse-captured-blanklines.txt").Replace("\r\n", "\n", StringComparison.Ordinal) + "\n\n");

        var frames = MarathonSseParser.ParseAll(MarathonFixtures.Read("sse-captured-blanklines.txt")).Count;
        await bed.UntilAsync(() => bed.Status.Current.Events + bed.Status.Current.Ignored >= frames + 1, "every captured event handled");
        Assert.Equal(0, bed.Status.Current.Malformed);
    }

    private static async Task<IReadOnlyList<IInstanceEvent>> EventsAsync(MarathonSourceTestBed bed, string taskId)
    {
        var events = new List<IInstanceEvent>();
        await foreach (var e in bed.Store.ReadStreamAsync(StreamName.ForInstance(MarathonMapper.InstanceId(taskId)), 0, TestContext.Current.CancellationToken))
            events.Add((IInstanceEvent)e.Event);
        return events;
    }
    [Fact]
    public async Task DeploymentAndApiEvents_ChangeNoInstance_ButAreKeptInTheLogForForensics()
    {
        await using var marathon = await MarathonStandIn.StartAsync();
        marathon.AppsJson = CartApp;
        await using var bed = new MarathonSourceTestBed();
        await bed.StartAsync(marathon.Url);
        var deployment = MarathonFixtures.Read(Path.Combine("events", "deployment_info.json")).ReplaceLineEndings("");
        var apiPost = MarathonFixtures.Read(Path.Combine("events", "api_post_event.json")).ReplaceLineEndings("");

        marathon.Send("deployment_info", deployment);
        marathon.Send("api_post_event", apiPost);
        marathon.Send("status_update_event", Status("cart.1", "TASK_RUNNING"));
        await bed.UntilAsync(() => bed.Find("cart.1") is not null, "cart.1 registered after the two recorded events");

        var facts = new List<SourceFactRecorded>();
        await foreach (var e in bed.Store.ReadStreamAsync(StreamName.ForSource(MarathonMapper.Source, bed.Status.Current.Node), 0, TestContext.Current.CancellationToken))
            if (e.Event is SourceFactRecorded fact) facts.Add(fact);
        Assert.Equal(["deployment_info", "api_post_event"], facts.Select(f => f.EventType));
        Assert.Equal([deployment, apiPost], facts.Select(f => f.Payload));
    }
}
