using System.CommandLine;
using System.Text.Json;

namespace Mesh.Host.Cli;

/// <summary><c>mesh at [time]</c>: the registry at a point of the log (GET /v1/mesh/state?at=).</summary>
internal static class AtVerb
{
    public static Command Build(CliIo io)
    {
        var time = new Argument<string?>("time")
        {
            Description = "A position (1234), an ISO-8601 time (2026-11-30T14:03:12Z) or a time relative to now (-15m, -1h30m, -2d); default: now.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("at", "The registry at a point of the log: instances and their health, environments, routes.") { time };
        var options = TargetOptions.AddTo(command);
        command.SetAction((parsed, ct) => MeshCli.RunVerbAsync(io, async () =>
        {
            var at = parsed.GetValue(time);
            CliTimes.Check("at", at);
            await using var target = options.Open(parsed);
            var state = await target.StateAsync(at, ct);
            var output = new CliOutput(io.Output);
            if (parsed.GetValue(options.Json)) output.Json(state);
            else Print(output, state);
            return MeshCli.Ok;
        }, ct));
        return command;
    }

    private static void Print(CliOutput output, JsonElement state)
    {
        var at = state.GetProperty("At");
        output.Line($"Registry at {at.Point()}; the log's head is {at.Long("Head")}.");
        output.Line();
        output.Table(
            ["INSTANCE", "SERVICE", "ENV", "ADDRESS", "VERSION", "STATUS", "TAGS", "NODE"],
            state.Items("Instances").Select(i => (IReadOnlyList<string>)
            [
                i.Str("InstanceId"), i.Str("Service"), i.Str("Env"), Endpoint(i.Str("Address"), i.Str("Port")), i.Str("Version"),
                i.Str("Status"), i.List("Tags"), i.Str("Node"),
            ]),
            "No instances were registered.");
        output.Line();
        output.Table(
            ["ENVIRONMENT", "FALLBACK", "DEFINED", "INSTANCES"],
            state.Items("Environments").Select(e => (IReadOnlyList<string>)
                [e.Str("Name"), e.Str("Fallback"), e.Str("Defined"), e.Str("InstanceCount")]),
            "No environments.");
        output.Line();
        output.Table(
            ["HOST", "PATH", "CLUSTER", "DESTINATIONS"],
            state.Items("Routes").Select(r => (IReadOnlyList<string>)
                [r.Str("Host"), r.Str("PathPrefix"), r.Str("Cluster"), r.List("Destinations")]),
            "No routes.");
    }

    /// <summary><c>address:port</c>, an IPv6 address in brackets.</summary>
    public static string Endpoint(string address, string port) =>
        address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
}
