using Mesh.Host.Api.Mesh;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Microsoft.Extensions.Options;

namespace Mesh.Host.Cli;

/// <summary>
/// <c>mesh verify</c>: rebuilds the registry from zero (every event from position 1 to the head, folded by the same
/// projection) and compares it with what Mesh serves and keeps:
/// <list type="bullet">
/// <item><c>--api</c>: the state the API answers at that head (<c>/v1/mesh/state?at=</c>): instances, their fields and
/// statuses, environments, routes. The events come from <c>/v1/mesh/events</c>.</item>
/// <item><c>--data</c>: every archived snapshot (at its position), the projection's snapshot file
/// (<c>snapshots/registry.snapshot</c>, at its position) and the state at the head as history rebuilds it (nearest
/// archived snapshot plus the events after it).</item>
/// </list>
/// Prints each difference (instance ids and fields) and exits 1 when there is one.
/// </summary>
internal static class VerifyVerb
{
    private const int MaxDifferences = 50;
    private const int EventsPage = EventsVerb.MaxLimit;

    private const string SnapshotFile = SnapshotStore.FileName;

    public static Command Build(CliIo io)
    {
        var command = new Command("verify", "Rebuild the registry from zero and compare it with the state Mesh serves and its snapshots; exit 1 on a mismatch.");
        var options = TargetOptions.AddTo(command);
        command.SetAction((parsed, ct) => MeshCli.RunVerbAsync(io, async () =>
        {
            await using var target = options.Open(parsed);
            var report = target switch
            {
                DataTarget data => await VerifyDataAsync(data, ct),
                ApiTarget api => await VerifyApiAsync(api, ct),
                _ => throw new InvalidOperationException($"Unknown target {target.Name}."),
            };
            var output = new CliOutput(io.Output);
            if (parsed.GetValue(options.Json)) output.Json(JsonSerializer.SerializeToElement(report, ForensicsJson.Options));
            else Print(output, report);
            if (report.Ok) return MeshCli.Ok;
            var failed = report.Checks.Where(c => !c.Equal).Select(c => c.Against).ToList();
            await io.Error.WriteLineAsync($"verify: the registry rebuilt from zero differs from {string.Join("; ", failed)}.");
            return MeshCli.NotFound;
        }, ct));
        return command;
    }

    /// <summary>What verify found: the rebuilt position, each comparison, and notes that are not mismatches.</summary>
    internal sealed record Report(string Target, long Head, bool Ok, IReadOnlyList<Check> Checks, IReadOnlyList<string> Notes);

    /// <summary>One comparison of the rebuilt registry with <see cref="Against"/>, at <see cref="Position"/>.</summary>
    internal sealed record Check(string Against, long Position, bool Equal, IReadOnlyList<string> Differences);

    private static async Task<Report> VerifyDataAsync(DataTarget target, CancellationToken ct)
    {
        var notes = new List<string>();
        var checks = new List<Check>();
        // The snapshot file before the head: Mesh writes it after the events it reflects, so it is never past that head.
        var snapshotDirectory = Path.Combine(target.Directory, "snapshots");
        RegistryState? file = null;
        if (File.Exists(Path.Combine(snapshotDirectory, SnapshotFile)))
        {
            file = await new SnapshotStore(Options.Create(new SnapshotOptions { Directory = snapshotDirectory })).LoadAsync(ct);
            if (file is null) notes.Add($"snapshots/{SnapshotFile} cannot be read (another format): Mesh replays the log from zero when it starts.");
        }
        var head = await target.Store.ReadHeadPositionAsync(ct);
        if (file is not null && file.Position > head)
        {
            notes.Add($"snapshots/{SnapshotFile} is at position {file.Position}, past the log's head {head}: the log was replaced, and Mesh replays it from zero when it starts.");
            file = null;
        }

        // The archived snapshots' positions, newest first (each read answers the nearest one at or before a position).
        var archived = new HashSet<long>();
        for (var at = head; at > 0;)
        {
            if (await target.Store.ReadSnapshotAsync(at, ct) is not { } snapshot) break;
            archived.Add(snapshot.Position);
            at = snapshot.Position - 1;
        }
        var stops = new SortedSet<long>(archived) { head };
        if (file is not null && file.Position > 0) stops.Add(file.Position);

        var state = RegistryState.Empty;
        var equalArchived = new List<long>();
        foreach (var stop in stops.Where(s => s > 0))
        {
            state = await RegistryProjection.FoldAsync(target.Store.ReadAllAsync(state.Position + 1, (int)Math.Min(stop - state.Position, int.MaxValue), ct), state, ct);
            if (state.Position != stop) throw CliException.Usage($"The log ends at position {state.Position}, before position {stop}: it cannot be rebuilt.");
            if (archived.Contains(stop))
            {
                var bytes = (await target.Store.ReadSnapshotAsync(stop, ct))!.State;
                if (SnapshotCodec.Decode(bytes) is not { } decoded)
                    notes.Add($"The archived snapshot at position {stop} is of another format: history skips it and starts from an earlier one.");
                else if (Compare(state, decoded, "archived") is { Count: > 0 } differences)
                    checks.Add(new Check($"the archived snapshot at position {stop}", stop, false, differences));
                else equalArchived.Add(stop);
            }
            if (file?.Position == stop)
            {
                var differences = Compare(state, file, "snapshot file");
                checks.Add(new Check($"snapshots/{SnapshotFile} (position {stop})", stop, differences.Count == 0, differences));
            }
        }
        if (equalArchived.Count > 0)
            checks.Insert(0, new Check(
                equalArchived.Count == 1 ? $"the archived snapshot at position {equalArchived[0]}" : $"{equalArchived.Count} archived snapshots (positions {equalArchived[0]} to {equalArchived[^1]})",
                equalArchived[^1], true, []));

        var served = await target.History.StateAtAsync(head, ct);
        var atHead = Compare(state, served, "history");
        checks.Add(new Check($"the state at the head ({head}) from the nearest archived snapshot and the events after it", head, atHead.Count == 0, atHead));
        return new Report(target.Name, head, checks.All(c => c.Equal), checks, notes);
    }

    private static async Task<Report> VerifyApiAsync(ApiTarget target, CancellationToken ct)
    {
        var served = await target.GetJsonAsync("v1/mesh/state?at=now", ct);
        var at = served.GetProperty("At");
        var head = at.Long("Position");

        // The log through the API, page by page, folded as it comes.
        var state = RegistryState.Empty;
        while (state.Position < head)
        {
            var page = await target.GetJsonAsync($"v1/mesh/events?since={state.Position}&limit={EventsPage}", ct);
            var before = state.Position;
            state = RegistryProjection.Fold(page.EnumerateArray().Select(ToRecorded).TakeWhile(e => e.Position <= head), state);
            if (state.Position == before) throw CliException.Usage($"{target.Name} listed no events after position {before}, before its head {head}: the log cannot be rebuilt.");
        }

        var point = JsonSerializer.Deserialize<ForensicsJson.Point>(at.GetRawText(), ForensicsJson.Options)!;
        var rebuilt = JsonSerializer.SerializeToNode(ForensicsJson.State(point, state), ForensicsJson.Options)!;
        var answer = JsonNode.Parse(served.GetRawText())!;
        var differences = new List<string>();
        foreach (var (section, key) in new[] { ("Instances", "InstanceId"), ("Environments", "Name"), ("Routes", "Host,PathPrefix") })
            DiffNodes(Keyed(rebuilt[section], key), Keyed(answer[section], key), section, "API", differences);
        var check = new Check($"the state {target.Name} serves at position {head} (/v1/mesh/state?at={head})", head, differences.Count == 0, Cut(differences));
        return new Report(target.Name, head, check.Equal, [check], []);
    }

    // An event as /v1/mesh/events lists it, back into what the projection folds (the payload is the event's own JSON).
    private static RecordedEvent ToRecorded(JsonElement e)
    {
        var type = e.Str("Type");
        var position = e.Long("Position");
        IEvent payload;
        try
        {
            payload = EventSerializer.Deserialize(type, Encoding.UTF8.GetBytes(e.GetProperty("Data").GetRawText()));
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or NotSupportedException)
        {
            throw CliException.Usage($"The event at position {position} (type '{type}') cannot be read: {ex.Message}");
        }
        var metadata = new EventMetadata(e.Time("SourceTime"), NullIfEmpty(e.Str("CorrelationId")), NullIfEmpty(e.Str("SourceFactId")));
        return new RecordedEvent(position, new StreamName(e.Str("Stream")), 0, type, payload, metadata, e.Time("RecordedAt") ?? default);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    /// <summary>What differs between the rebuilt state and <paramref name="other"/>, field by field, instances by id.</summary>
    internal static List<string> Compare(RegistryState rebuilt, RegistryState other, string otherName)
    {
        var differences = new List<string>();
        var a = JsonSerializer.SerializeToNode(rebuilt, EventSerializer.Options)!.AsObject();
        var b = JsonSerializer.SerializeToNode(other, EventSerializer.Options)!.AsObject();
        foreach (var (id, instance) in rebuilt.Instances)
        {
            if (other.Instances.TryGetValue(id, out var theirs) && instance.Status != theirs.Status)
                differences.Add($"instance {id}: status: rebuilt {Status(instance.Status)}, {otherName} {Status(theirs.Status)}");
        }
        foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            DiffNodes(a[name], b[name], name, otherName, differences);
        return Cut(differences);
    }

    private static string Status(HealthStatus status) => status.ToString().ToLowerInvariant();

    // Walks two JSON trees; objects by property (instances by id), anything else compared whole.
    private static void DiffNodes(JsonNode? rebuilt, JsonNode? other, string path, string otherName, List<string> into)
    {
        if (JsonNode.DeepEquals(rebuilt, other)) return;
        if (rebuilt is JsonObject a && other is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                var child = ChildPath(path, key);
                if (!a.ContainsKey(key)) into.Add($"{child}: not in the rebuilt state, only in the {otherName}");
                else if (!b.ContainsKey(key)) into.Add($"{child}: missing from the {otherName}");
                else DiffNodes(a[key], b[key], child, otherName, into);
            }
            return;
        }
        into.Add($"{path}: rebuilt {Short(rebuilt)}, {otherName} {Short(other)}");
    }

    // "Instances.api:web-1.Checks" reads as "instance api:web-1: Checks".
    private static string ChildPath(string path, string key) => path switch
    {
        "Instances" or "instances" => $"instance {key}:",
        "Services" or "services" => $"service {key}:",
        "Environments" or "environments" => $"environment {key}:",
        "CheckOwners" or "checkOwners" => $"check {key}:",
        "Routes" => $"route {key}:",
        _ => path.EndsWith(':') ? $"{path} {key}" : $"{path}.{key}",
    };

    // An array of objects as an object keyed by a field (or by two, joined), for a comparison by id.
    private static JsonObject Keyed(JsonNode? array, string key)
    {
        var keyed = new JsonObject();
        foreach (var item in array?.AsArray() ?? [])
        {
            if (item is not JsonObject o) continue;
            var id = string.Concat(key.Split(',').Select(k => o[k]?.GetValue<string>() ?? ""));
            keyed[id] = o.DeepClone();
        }
        return keyed;
    }

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(none)";
        return text.Length <= 120 ? text : text[..119] + "…";
    }

    private static List<string> Cut(List<string> differences) =>
        differences.Count <= MaxDifferences ? differences : [.. differences.Take(MaxDifferences), $"… and {differences.Count - MaxDifferences} more"];

    private static void Print(CliOutput output, Report report)
    {
        output.Line($"Rebuilt the registry from zero to the head, position {report.Head}, of {report.Target}.");
        output.Line();
        output.Table(["RESULT", "COMPARED WITH"], report.Checks.Select(c => (IReadOnlyList<string>)[c.Equal ? "equal" : "DIFFERS", c.Against]), "Nothing to compare with.");
        foreach (var check in report.Checks.Where(c => !c.Equal))
        {
            output.Line();
            output.Line($"Differences from {check.Against}:");
            foreach (var d in check.Differences) output.Line($"  {d}");
        }
        foreach (var note in report.Notes) output.Line($"Note: {note}");
        output.Line();
        output.Line(report.Ok ? "OK: every state compared equals the registry rebuilt from zero." : "MISMATCH: see the differences above.");
    }
}
