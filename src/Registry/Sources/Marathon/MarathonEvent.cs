using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Marathon;

/// <summary>What one event of Marathon's event bus asks of the source.</summary>
public abstract record MarathonEvent(string EventType);

/// <summary>A task runs: the watcher looks its app up (labels, health checks) and registers it.</summary>
public sealed record MarathonTaskRunning(string EventType, string AppId, string TaskId, string? Host,
    IReadOnlyList<int> Ports, IReadOnlyList<MarathonIpAddress> IpAddresses) : MarathonEvent(EventType);

/// <summary>Observations the event maps to directly (a task gone, a health verdict).</summary>
public sealed record MarathonObservations(string EventType, IReadOnlyList<Observation> Observations) : MarathonEvent(EventType);

/// <summary>The app was destroyed: every instance of it goes.</summary>
public sealed record MarathonAppTerminated(string EventType, string AppId) : MarathonEvent(EventType);

/// <summary>
/// Deliberately ignored by the registry (counted): deployments, API calls, subscriptions, tasks not yet running...
/// Deployment, group-change and API events still carry <see cref="Forensic"/>: they are kept in the log as
/// <see cref="SourceFactRecorded"/>, so an operator can replay what was deployed when.
/// </summary>
public sealed record MarathonIgnored(string EventType, string Why, EventMetadata? Forensic = null) : MarathonEvent(EventType);

/// <summary>Not understood: a data line that is not JSON, or an event without the fields its type needs.</summary>
public sealed record MarathonMalformed(string EventType, string Reason) : MarathonEvent(EventType);

/// <summary>Marathon's event JSON → <see cref="MarathonEvent"/>. Pure.</summary>
public static class MarathonEvents
{
    public const string HealthyOutput = "healthy";
    public const string UnhealthyOutput = "unhealthy";

    // Mesos task states and Marathon instance conditions after which the task no longer serves.
    private static readonly HashSet<string> Terminal = new(StringComparer.OrdinalIgnoreCase)
    {
        "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_KILLING", "TASK_LOST", "TASK_GONE", "TASK_ERROR",
        "TASK_DROPPED", "TASK_UNREACHABLE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
        "Finished", "Failed", "Killed", "Killing", "Error", "Gone", "Dropped", "Unreachable", "UnreachableInactive", "Unknown",
    };

    /// <param name="eventName">The SSE <c>event:</c> name, if the frame had one (the JSON <c>eventType</c> wins).</param>
    /// <param name="data">The SSE <c>data:</c> payload.</param>
    public static MarathonEvent Parse(string? eventName, string data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException e)
        {
            return new MarathonMalformed(eventName ?? "", $"data is not JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return new MarathonMalformed(eventName ?? "", "data is not a JSON object");
            var root = document.RootElement;
            var type = Str(root, "eventType") ?? eventName ?? "";
            var metadata = new EventMetadata(
                DateTimeOffset.TryParse(Str(root, "timestamp"), out var at) ? at : null, null,
                $"{Str(root, "taskId") ?? Str(root, "instanceId") ?? Str(root, "appId")}:{type}:{Str(root, "timestamp")}", data);
            return type switch
            {
                "status_update_event" => StatusUpdate(type, root, metadata),
                "instance_changed_event" => InstanceChanged(type, root, metadata),
                "health_status_changed_event" => Health(type, Str(root, "taskId") ?? Str(root, "instanceId"), Bool(root, "alive"), metadata),
                "instance_health_changed_event" => Health(type, Str(root, "instanceId"), Bool(root, "healthy"), metadata),
                "app_terminated_event" => Str(root, "appId") is { } appId
                    ? new MarathonAppTerminated(type, appId)
                    : new MarathonMalformed(type, "no appId"),
                "" => new MarathonMalformed(type, "no eventType"),
                _ => new MarathonIgnored(type, IgnoreReason(type), IsForensic(type) ? metadata : null),
            };
        }
    }

    /// <summary>Events kept for forensics although they change no instance: deployments, group changes, API calls.</summary>
    public static bool IsForensic(string type) =>
        type.StartsWith("deployment", StringComparison.Ordinal)
        || type.StartsWith("group_change", StringComparison.Ordinal)
        || type == "api_post_event";

    private static string IgnoreReason(string type) => type switch
    {
        _ when type.StartsWith("deployment", StringComparison.Ordinal) => "deployment progress; tasks report themselves",
        _ when type.StartsWith("group_change", StringComparison.Ordinal) => "group changes; tasks report themselves",
        _ when type.StartsWith("pod_", StringComparison.Ordinal) => "pods are not followed",
        _ when type.StartsWith("event_stream", StringComparison.Ordinal) || type.EndsWith("subscribe_event", StringComparison.Ordinal)
            => "event bus subscription bookkeeping",
        "api_post_event" => "API call; tasks report themselves",
        "add_health_check_event" or "remove_health_check_event" => "health check (un)registration; results come as health events",
        "failed_health_check_event" => "a single failed probe; health_status_changed_event carries the verdict",
        "unhealthy_task_kill_event" or "unhealthy_instance_kill_event" => "the kill is followed by the task's status update",
        "unknown_instance_terminated_event" => "an instance Marathon never knew",
        "framework_message_event" => "executor message",
        _ => "unknown event type",
    };

    private static MarathonEvent StatusUpdate(string type, JsonElement root, EventMetadata metadata)
    {
        var taskId = Str(root, "taskId");
        var status = Str(root, "taskStatus");
        if (taskId is null || status is null) return new MarathonMalformed(type, "no taskId or taskStatus");
        if (status == "TASK_RUNNING")
        {
            var appId = Str(root, "appId");
            if (appId is null) return new MarathonMalformed(type, "a running task without appId");
            var ports = root.TryGetProperty("ports", out var p) && p.ValueKind == JsonValueKind.Array
                ? p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToArray()
                : [];
            var ips = root.TryGetProperty("ipAddresses", out var i) && i.ValueKind == JsonValueKind.Array
                ? i.EnumerateArray().Select(x => new MarathonIpAddress(Str(x, "ipAddress"), Str(x, "protocol"))).ToArray()
                : [];
            return new MarathonTaskRunning(type, appId, taskId, Str(root, "host"), ports, ips);
        }
        if (Terminal.Contains(status))
            return new MarathonObservations(type, [new InstanceGone(MarathonMapper.InstanceId(taskId), MarathonMapper.Source, status) { Metadata = metadata }]);
        return new MarathonIgnored(type, $"task {status}: not running yet");
    }

    // instance_changed_event names the instance, not its task, and carries no ports: a running instance is
    // registered by its task's status_update_event (or the reconcile); here only the terminal conditions count.
    private static MarathonEvent InstanceChanged(string type, JsonElement root, EventMetadata metadata)
    {
        var instanceId = Str(root, "instanceId");
        var condition = Str(root, "condition");
        if (instanceId is null || condition is null) return new MarathonMalformed(type, "no instanceId or condition");
        if (Terminal.Contains(condition))
            return new MarathonObservations(type, [new InstanceGone(MarathonMapper.InstanceId(MarathonMapper.TaskIdOfInstance(instanceId)), MarathonMapper.Source, condition) { Metadata = metadata }]);
        return new MarathonIgnored(type, $"instance {condition}: registered by its task's status update");
    }

    private static MarathonEvent Health(string type, string? instanceId, bool? healthy, EventMetadata metadata)
    {
        if (instanceId is null) return new MarathonMalformed(type, "no instanceId or taskId");
        if (healthy is null) return new MarathonIgnored(type, "health not yet known");
        return new MarathonObservations(type,
        [
            new CheckReported(MarathonMapper.InstanceId(MarathonMapper.TaskIdOfInstance(instanceId)), MarathonMapper.Source, MarathonMapper.HealthCheckId,
                healthy.Value ? HealthStatus.Passing : HealthStatus.Critical,
                healthy.Value ? HealthyOutput : UnhealthyOutput) { Metadata = metadata },
        ]);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
