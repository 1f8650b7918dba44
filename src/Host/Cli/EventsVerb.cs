using System.CommandLine;
using System.Text.Json;

namespace Mesh.Host.Cli;

/// <summary><c>mesh events</c>: the log, filtered (GET /v1/mesh/events); <c>--follow</c> prints new events as they are appended.</summary>
internal static class EventsVerb
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 100_000;

    private static readonly string[] Headers = ["POSITION", "RECORDED", "TYPE", "INSTANCE", "SERVICE", "SOURCE FACT"];
    private static readonly int[] FollowWidths = [8, 24, 22, 24, 16];

    public static Command Build(CliIo io)
    {
        var since = new Option<string?>("--since")
        {
            Description = "After this point of the log (default: the beginning; with --follow, now).",
            HelpName = "time",
        };
        var type = new Option<string?>("--type") { Description = "Only events of these types (comma-separated, e.g. InstanceRegistered,InstanceDeregistered).", HelpName = "types" };
        var service = new Option<string?>("--service") { Description = "Only events about instances of this service.", HelpName = "name" };
        var limit = new Option<int?>("--limit") { Description = $"At most this many events (default {DefaultLimit}, at most {MaxLimit}); not with --follow.", HelpName = "n" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they are appended, until Ctrl+C." };
        var command = new Command("events", "The event log, oldest first: every fact Mesh recorded.") { since, type, service, limit, follow };
        var options = TargetOptions.AddTo(command);
        command.SetAction((parsed, ct) => MeshCli.RunVerbAsync(io, async () =>
        {
            var following = parsed.GetValue(follow);
            var start = parsed.GetValue(since) ?? (following ? "now" : "0");
            CliTimes.Check("since", start);
            if (parsed.GetValue(limit) is < 1 or > MaxLimit) throw CliException.Usage($"--limit: give a number from 1 to {MaxLimit}.");
            var query = new EventQuery(start, parsed.GetValue(type), parsed.GetValue(service), parsed.GetValue(limit));
            var json = parsed.GetValue(options.Json);
            await using var target = options.Open(parsed);
            var output = new CliOutput(io.Output);
            if (!following)
            {
                var events = await target.EventsAsync(query, ct);
                if (json) output.Json(events);
                else output.Table(Headers, events.EnumerateArray().Select(Cells), "No events.");
                return MeshCli.Ok;
            }
            if (!json) output.Row(Headers, FollowWidths);
            await foreach (var e in target.FollowAsync(query, ct))
            {
                if (json) output.Json(e);
                else output.Row(Cells(e), FollowWidths);
                await io.Output.FlushAsync(ct);
            }
            return MeshCli.Ok;
        }, ct));
        return command;
    }

    private static IReadOnlyList<string> Cells(JsonElement e) =>
        [e.Str("Position"), CliOutput.Time(e.Time("RecordedAt")), e.Str("Type"), e.Str("InstanceId"), e.Str("Service"), e.Str("SourceFactId")];
}
