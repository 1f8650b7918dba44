using System.Globalization;
using System.Text.Json;
using Docker.DotNet.Models;
using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Docker;

/// <summary>What a container event means to the source.</summary>
internal enum ContainerEventKind
{
    /// <summary>Nothing the registry cares about (create, attach, exec_*, resize, restart, ...).</summary>
    Ignored,
    Start,
    Die,
    Stop,
    Destroy,

    /// <summary>A signal was sent; the container may well keep running (HUP to reload).</summary>
    Kill,

    /// <summary>The kernel OOM-killed a process of the container; the <c>die</c> that follows is reported as <c>oom</c>.</summary>
    Oom,
    HealthStatus,
    Pause,
    Unpause,

    /// <summary><c>rename</c> or <c>update</c>: inspect again and re-register what changed.</summary>
    Changed,
}

/// <summary>One <c>GET /events</c> message of type <c>container</c>, classified; pure.</summary>
internal sealed record ContainerEvent(
    string ContainerId,
    ContainerEventKind Kind,
    string Action,
    long TimeNano,
    IReadOnlyDictionary<string, string> Attributes,
    string RawJson)
{
    private const string HealthPrefix = "health_status:";

    public static ContainerEvent From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var action = message.Action ?? "";
        var timeNano = message.TimeNano ?? (message.Time ?? 0) * 1_000_000_000;
        return new ContainerEvent(
            message.Actor?.ID ?? "",
            Classify(action),
            action,
            timeNano,
            message.Actor?.Attributes is { } attributes ? new Dictionary<string, string>(attributes, StringComparer.Ordinal) : [],
            JsonSerializer.Serialize(message));
    }

    public static ContainerEventKind Classify(string action) => action switch
    {
        "start" => ContainerEventKind.Start,
        "die" => ContainerEventKind.Die,
        "stop" => ContainerEventKind.Stop,
        "destroy" => ContainerEventKind.Destroy,
        "kill" => ContainerEventKind.Kill,
        "oom" => ContainerEventKind.Oom,
        "pause" => ContainerEventKind.Pause,
        "unpause" => ContainerEventKind.Unpause,
        "rename" or "update" => ContainerEventKind.Changed,
        _ when action.StartsWith(HealthPrefix, StringComparison.Ordinal) => ContainerEventKind.HealthStatus,
        _ => ContainerEventKind.Ignored,
    };

    /// <summary><c>healthy</c>, <c>unhealthy</c> or <c>starting</c> for a <c>health_status: ...</c> event.</summary>
    public string? Health => Kind == ContainerEventKind.HealthStatus ? Action[HealthPrefix.Length..].Trim() : null;

    /// <summary>The exit code a <c>die</c> event carries.</summary>
    public string? ExitCode => Attributes.GetValueOrDefault("exitCode");

    /// <summary>The signal a <c>kill</c> event carries.</summary>
    public string? Signal => Attributes.GetValueOrDefault("signal");

    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks(TimeNano / 100);

    /// <summary>The fact's own id (<c>{timeNano}:{action}</c>), its time and the raw event, for every observation it causes.</summary>
    public EventMetadata Metadata => new(Time, null, $"{TimeNano.ToString(CultureInfo.InvariantCulture)}:{Action}", RawJson);

    /// <summary><c>since=</c> for resuming after this event: the engine replays events at or after it (this one again, harmlessly).</summary>
    public static string SinceOf(long timeNano) =>
        string.Create(CultureInfo.InvariantCulture, $"{timeNano / 1_000_000_000}.{timeNano % 1_000_000_000:D9}");

    /// <summary>
    /// <c>since=</c> for an RFC 3339 time as <c>GET /info</c> gives the engine's clock (<c>2026-11-26T10:08:22.716293261Z</c>).
    /// The API takes Unix seconds (the CLI converts its RFC 3339 <c>--since</c> before sending); the fraction is cut to
    /// 100 ns, which can only replay an event more. Null when the text is not such a time.
    /// </summary>
    public static string? SinceOf(string? rfc3339)
    {
        if (string.IsNullOrWhiteSpace(rfc3339)) return null;
        var text = rfc3339.Trim();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            var digits = end - dot - 1;
            if (digits > 7) text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)) return null;
        return SinceOf((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);
    }
}
