using System.CommandLine;
using System.Text.Json;

namespace Mesh.Host.Cli;

/// <summary><c>mesh timeline &lt;name&gt;</c>: every event of a service or an instance (GET /v1/mesh/timeline/{name}).</summary>
internal static class TimelineVerb
{
    public static Command Build(CliIo io)
    {
        var name = new Argument<string>("name") { Description = "A service name (web) or an instance id (docker:3f2a…, api:web-1)." };
        var to = new Option<string?>("--to") { Description = "Up to this point of the log (default: now).", HelpName = "time" };
        var command = new Command("timeline", "Every event of a service or an instance, oldest first, with the source's facts.") { name, to };
        var options = TargetOptions.AddTo(command);
        command.SetAction((parsed, ct) => MeshCli.RunVerbAsync(io, async () =>
        {
            var (subject, end) = (parsed.GetValue(name)!, parsed.GetValue(to));
            if (string.IsNullOrWhiteSpace(subject)) throw CliException.Usage("name: give a service name or an instance id.");
            CliTimes.Check("to", end);
            await using var target = options.Open(parsed);
            var timeline = await target.TimelineAsync(subject, end, ct);
            var output = new CliOutput(io.Output);
            if (parsed.GetValue(options.Json)) output.Json(timeline);
            else Print(output, timeline);
            return MeshCli.Ok;
        }, ct));
        return command;
    }

    private static void Print(CliOutput output, JsonElement timeline)
    {
        output.Line($"Timeline of {timeline.Str("Name")} up to position {timeline.Long("Position")}:");
        output.Line();
        output.Table(
            ["POSITION", "RECORDED", "SOURCE TIME", "TYPE", "INSTANCE", "SUMMARY"],
            timeline.Items("Entries").Select(e => (IReadOnlyList<string>)
            [
                e.Str("Position"), CliOutput.Time(e.Time("RecordedAt")), CliOutput.Time(e.Time("SourceTime")), e.Str("Type"), e.Str("InstanceId"), e.Str("Summary"),
            ]),
            "No events.");
    }
}
