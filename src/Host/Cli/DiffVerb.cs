using System.CommandLine;
using System.Text.Json;

namespace Mesh.Host.Cli;

/// <summary><c>mesh diff &lt;from&gt; [to]</c>: what changed between two points of the log (GET /v1/mesh/diff).</summary>
internal static class DiffVerb
{
    public static Command Build(CliIo io)
    {
        var from = new Argument<string>("from") { Description = "The earlier point: a position, an ISO-8601 time or a relative time (-15m)." };
        var to = new Argument<string?>("to") { Description = "The later point (default: now).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("diff", "What changed between two points of the log: instances added, removed, changed, health, routes.") { from, to };
        var options = TargetOptions.AddTo(command);
        command.SetAction((parsed, ct) => MeshCli.RunVerbAsync(io, async () =>
        {
            var (start, end) = (parsed.GetValue(from)!, parsed.GetValue(to));
            CliTimes.Check("from", start);
            CliTimes.Check("to", end);
            await using var target = options.Open(parsed);
            var diff = await target.DiffAsync(start, end, ct);
            var output = new CliOutput(io.Output);
            if (parsed.GetValue(options.Json)) output.Json(diff);
            else Print(output, diff);
            return MeshCli.Ok;
        }, ct));
        return command;
    }

    private static void Print(CliOutput output, JsonElement answer)
    {
        output.Line($"Changes from {answer.GetProperty("From").Point()} to {answer.GetProperty("To").Point()}:");
        output.Line();
        output.Table(["CHANGE", "SUBJECT", "SERVICE", "DETAIL"], Rows(answer.GetProperty("Diff")), "Nothing changed.");
    }

    private static IEnumerable<IReadOnlyList<string>> Rows(JsonElement diff)
    {
        foreach (var i in diff.Items("Added")) yield return ["added", i.Str("InstanceId"), i.Str("Service"), Summary(i)];
        foreach (var i in diff.Items("Removed")) yield return ["removed", i.Str("InstanceId"), i.Str("Service"), Summary(i)];
        foreach (var h in diff.Items("HealthChanged")) yield return ["health", h.Str("InstanceId"), h.Str("Service"), $"{h.Str("From")} → {h.Str("To")}"];
        foreach (var c in diff.Items("Changed"))
        {
            var (before, after) = (c.GetProperty("Before"), c.GetProperty("After"));
            var fields = c.Items("Fields").Select(f => f.GetString() ?? "").Select(f => f switch
            {
                "service" or "env" or "address" or "port" or "version" => $"{f}: {before.Str(Capitalized(f))} → {after.Str(Capitalized(f))}",
                _ => $"{f} changed",
            });
            yield return ["changed", c.Str("InstanceId"), c.Str("Service"), string.Join("; ", fields)];
        }
        foreach (var r in diff.Items("RoutesAdded")) yield return ["route added", Route(r), "", $"{r.Str("Cluster")} → {Destinations(r, "Destinations")}"];
        foreach (var r in diff.Items("RoutesRemoved")) yield return ["route removed", Route(r), "", $"{r.Str("Cluster")} → {Destinations(r, "Destinations")}"];
        foreach (var r in diff.Items("RoutesChanged"))
            yield return ["route changed", Route(r), "", $"{r.Str("FromCluster")} → {Destinations(r, "FromDestinations")} became {r.Str("ToCluster")} → {Destinations(r, "ToDestinations")}"];
    }

    private static string Summary(JsonElement i) =>
        $"{AtVerb.Endpoint(i.Str("Address"), i.Str("Port"))} in {i.Str("Env")}, {i.Str("Status")}" + (i.Str("Version") is { Length: > 0 } v ? $", version {v}" : "");

    private static string Destinations(JsonElement r, string name) => r.List(name) is { Length: > 0 } list ? list : "(no destinations)";

    private static string Route(JsonElement r) => r.Str("Host") + r.Str("PathPrefix");

    private static string Capitalized(string field) => char.ToUpperInvariant(field[0]) + field[1..];
}
