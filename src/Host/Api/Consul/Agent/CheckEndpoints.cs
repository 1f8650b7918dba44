using static Mesh.Host.Api.Consul.Agent.AgentMethods;
using System.Text.Json;
using Mesh.Projections.Feed;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// TTL check reports: <c>PUT /v1/agent/check/pass|warn|fail/{check id}?note=</c> and
/// <c>PUT /v1/agent/check/update/{check id}</c> with <c>{"Status": ..., "Output": ...}</c>. They go to the registry
/// as <see cref="CheckReported"/>; a report that changes nothing appends nothing.
/// </summary>
internal static class CheckEndpoints
{
    public static RouteGroupBuilder MapCheckEndpoints(this RouteGroupBuilder agent)
    {
        agent.MapMethods("/check/pass/{checkId}", PutOrLegacyGet, (string checkId, HttpContext http, RegistryFeed feed, ApiObservations o, ITtlHeartbeatSink beats, CancellationToken ct) =>
            ReportAsync(checkId, HealthStatus.Passing, http.Request.Query["note"].LastOrDefault(), http, feed, o, beats, ct));
        agent.MapMethods("/check/warn/{checkId}", PutOrLegacyGet, (string checkId, HttpContext http, RegistryFeed feed, ApiObservations o, ITtlHeartbeatSink beats, CancellationToken ct) =>
            ReportAsync(checkId, HealthStatus.Warning, http.Request.Query["note"].LastOrDefault(), http, feed, o, beats, ct));
        agent.MapMethods("/check/fail/{checkId}", PutOrLegacyGet, (string checkId, HttpContext http, RegistryFeed feed, ApiObservations o, ITtlHeartbeatSink beats, CancellationToken ct) =>
            ReportAsync(checkId, HealthStatus.Critical, http.Request.Query["note"].LastOrDefault(), http, feed, o, beats, ct));
        agent.MapPut("/check/update/{checkId}", UpdateAsync);
        return agent;
    }

    private static async Task<IResult> UpdateAsync(string checkId, HttpContext http, RegistryFeed feed, ApiObservations o, ITtlHeartbeatSink beats, CancellationToken ct)
    {
        string body;
        using (var reader = new StreamReader(http.Request.Body))
            body = await reader.ReadToEndAsync(ct);
        var errors = new List<string>();
        string? statusText = null, output = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return ConsulResults.BadRequest("Invalid check update: the request body must be a JSON object");
            var update = new ConsulJsonObject(document.RootElement, "", errors);
            statusText = update.String("Status");
            output = update.String("Output");
        }
        catch (JsonException ex)
        {
            return ConsulResults.BadRequest($"Invalid check update: the request body is not valid JSON: {ex.Message}");
        }
        var status = CheckDefinitionParser.ParseStatus(statusText);
        if (status is null) errors.Add($"Status '{statusText}' is not one of passing, warning, critical");
        if (errors.Count > 0) return ConsulResults.Invalid("Invalid check update", errors);
        return await ReportAsync(checkId, status!.Value, output, http, feed, o, beats, ct);
    }

    private static async Task<IResult> ReportAsync(
        string checkId, HealthStatus status, string? note, HttpContext http, RegistryFeed feed, ApiObservations observations,
        ITtlHeartbeatSink beats, CancellationToken ct)
    {
        var state = feed.Current;
        if (!state.CheckOwners.TryGetValue(checkId, out var instanceId)
            || !state.Instances.TryGetValue(instanceId, out var instance)
            || !instance.Checks.TryGetValue(checkId, out var check))
            return UnknownCheck(checkId);
        // Only a TTL check takes reports; the others are run by Mesh and a report would be overwritten on the next run.
        if (check.Spec.Kind != CheckKind.Ttl)
            return ConsulResults.BadRequest($"Check '{checkId}' is a {check.Spec.Kind.ToString().ToUpperInvariant()} check, not a TTL check; only TTL checks take reports");

        // A report that repeats the current status appends nothing, so the TTL clock is told in memory that it came
        // (in a cluster, the sink also publishes the beat to every registry: the leader's checker runs the clock).
        beats.Beat(instanceId, checkId, status);
        var report = new CheckReported(instanceId, ConsulServiceIds.Source, checkId, status, note ?? "") { Metadata = observations.Metadata(http) };
        var result = await observations.SendAsync(report, ct);
        return result.IsRejected ? UnknownCheck(checkId) : Results.Ok();
    }

    private static IResult UnknownCheck(string checkId) => ConsulResults.NotFound($"Unknown check ID '{checkId}'");
}
