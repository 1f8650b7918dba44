using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Marathon;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonEventsTests
{
    private const string Ignored = "ignored";

    /// <summary>Every file in shared/fixtures/marathon/events and what it must map to.</summary>
    public static readonly TheoryData<string, string> EveryEventFile = new()
    {
        { "add_health_check_event.json", Ignored },
        { "api_post_event-captured.json", Ignored },
        { "api_post_event.json", Ignored },
        { "app_terminated_event.json", "terminated /my-app" },
        { "deployment_failed.json", Ignored },
        { "deployment_info.json", Ignored },
        { "deployment_step_failure.json", Ignored },
        { "deployment_step_success.json", Ignored },
        { "deployment_success.json", Ignored },
        { "event_stream_attached-eventbus-json-block.json", Ignored },
        { "event_stream_attached.json", Ignored },
        { "event_stream_detached.json", Ignored },
        { "failed_health_check_event.json", Ignored },
        { "framework_message_event.json", Ignored },
        { "group_change_failed.json", Ignored },
        { "group_change_success-captured.json", Ignored },
        { "group_change_success.json", Ignored },
        { "health_status_changed_event.json", "check marathon:my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c Passing" },
        { "instance_changed_event-Killed.json", "gone marathon:asgard-dev_bla.0139427f-b042-11e8-9638-0242ac12001f Killed" },
        { "instance_changed_event.json", Ignored },
        { "instance_health_changed_event.json", "check marathon:my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c Passing" },
        { "pod_created_event.json", Ignored },
        { "pod_deleted_event.json", Ignored },
        { "pod_updated_event.json", Ignored },
        { "remove_health_check_event.json", Ignored },
        { "status_update_event-TASK_FAILED.json", "gone marathon:foo.0664256e-6771-11e5-94e1-be5b2935a987 TASK_FAILED" },
        { "status_update_event-TASK_FINISHED.json", "gone marathon:myapp.90766c83-bdd2-11e5-a8cb-02424144e2f6 TASK_FINISHED" },
        { "status_update_event-TASK_KILLED.json", "gone marathon:asgard-dev_bla.0139427f-b042-11e8-9638-0242ac12001f TASK_KILLED" },
        { "status_update_event-TASK_RUNNING-events-txt.json", "running /test-app test-app.5dd78972-6771-11e5-94e1-be5b2935a987 srv4.hw.ca1.mesosphere.com 31182" },
        { "status_update_event-TASK_RUNNING.json", "running /my-app my-app_0-1396592784349 slave-1234.acme.org 31372" },
        { "status_update_event-TASK_STAGING.json", Ignored },
        { "subscribe_event.json", Ignored },
        { "unhealthy_instance_kill_event.json", Ignored },
        { "unhealthy_task_kill_event.json", Ignored },
        { "unknown_instance_terminated_event.json", Ignored },
        { "unsubscribe_event.json", Ignored },
    };

    [Theory]
    [MemberData(nameof(EveryEventFile))]
    public void Parse_FixtureEvent_MapsToObservationsOrANamedIgnore(string file, string expected)
    {
        var data = MarathonFixtures.Read(Path.Combine("events", file));

        var mapped = MarathonEvents.Parse(null, data);

        Assert.Equal(expected, Describe(mapped));
        if (mapped is MarathonIgnored ignored)
        {
            Assert.NotEqual("unknown event type", ignored.Why);
            Assert.False(string.IsNullOrEmpty(ignored.EventType));
        }
    }

    [Fact]
    public void EveryEventFile_CoversTheWholeFixtureFolder()
    {
        var listed = EveryEventFile.Select(row => (string)row.Data.Item1).Order(StringComparer.Ordinal).ToArray();
        var onDisk = Directory.GetFiles(Path.Combine(MarathonFixtures.Directory, "events"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(onDisk, listed);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"eventType\":\"status_update_event\"")]
    [InlineData("[1,2]")]
    [InlineData("{\"timestamp\":\"2014-03-01T23:29:30.158Z\"}")]
    [InlineData("{\"eventType\":\"status_update_event\",\"taskStatus\":\"TASK_RUNNING\"}")]
    [InlineData("{\"eventType\":\"app_terminated_event\"}")]
    public void Parse_Garbage_Malformed(string data) =>
        Assert.IsType<MarathonMalformed>(MarathonEvents.Parse("status_update_event", data));

    [Fact]
    public void Parse_UnknownType_CountedIgnore()
    {
        var mapped = Assert.IsType<MarathonIgnored>(MarathonEvents.Parse(null, "{\"eventType\":\"something_new_event\"}"));

        Assert.Equal("something_new_event", mapped.EventType);
        Assert.Equal("unknown event type", mapped.Why);
    }

    [Theory]
    [InlineData("TASK_LOST")]
    [InlineData("TASK_GONE")]
    [InlineData("TASK_ERROR")]
    [InlineData("TASK_DROPPED")]
    [InlineData("TASK_UNREACHABLE")]
    [InlineData("TASK_KILLING")]
    public void Parse_TerminalStatus_GoneWithTheStatusAsReason(string status)
    {
        var mapped = MarathonEvents.Parse(null,
            $"{{\"eventType\":\"status_update_event\",\"taskId\":\"t.1\",\"taskStatus\":\"{status}\",\"appId\":\"/t\"}}");

        Assert.Equal($"gone marathon:t.1 {status}", Describe(mapped));
    }

    [Fact]
    public void Parse_HealthFalse_CheckCritical() =>
        Assert.Equal("check marathon:t.1 Critical", Describe(MarathonEvents.Parse(null,
            "{\"eventType\":\"health_status_changed_event\",\"taskId\":\"t.1\",\"alive\":false}")));

    [Fact]
    public void Parse_InstanceIdOfMarathon15_NamesItsTask() =>
        Assert.Equal("check marathon:app.0139427f Critical", Describe(MarathonEvents.Parse(null,
            "{\"eventType\":\"instance_health_changed_event\",\"instanceId\":\"app.marathon-0139427f\",\"healthy\":false}")));

    [Fact]
    public void Parse_GoneKeepsThePayloadForForensics()
    {
        var data = MarathonFixtures.Read("events/status_update_event-TASK_KILLED.json");

        var gone = (InstanceGone)((MarathonObservations)MarathonEvents.Parse(null, data)).Observations[0];

        Assert.Equal(data, gone.Metadata.RawPayload);
        Assert.NotNull(gone.Metadata.SourceTime);
    }

    private static string Describe(MarathonEvent mapped) => mapped switch
    {
        MarathonIgnored => Ignored,
        MarathonAppTerminated t => $"terminated {t.AppId}",
        MarathonTaskRunning r => $"running {r.AppId} {r.TaskId} {r.Host} {string.Join(',', r.Ports)}",
        MarathonObservations { Observations: [InstanceGone g] } => $"gone {g.InstanceId} {g.Reason}",
        MarathonObservations { Observations: [CheckReported c] } => $"check {c.InstanceId} {c.Status}",
        MarathonMalformed m => $"malformed {m.Reason}",
        _ => mapped.ToString(),
    };
}
