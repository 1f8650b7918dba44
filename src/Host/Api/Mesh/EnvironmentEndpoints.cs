using System.Text.Json;
using Mesh.Host.Api.Consul;
using Mesh.Host.Api.Consul.Agent;
using Mesh.Projections.Environments;
using Mesh.Projections.Feed;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Mesh;

/// <summary>
/// <c>PUT /v1/mesh/env/{name}</c> (body <c>{"Fallback":"&lt;env&gt;"}</c>, default integration) defines an environment;
/// <c>GET /v1/mesh/env</c> lists the environments that exist. Both need the API token when one is set, as all of
/// <c>/v1/mesh</c> does.
/// </summary>
internal static class EnvironmentEndpoints
{
    private const string DefaultTestDomain = "test.mesh";
    private static readonly TimeSpan ReadYourWrite = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapMeshEnvironments(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/mesh/env", (RegistryFeed feed) =>
            Results.Json(EnvironmentView.Of(feed.Current).Environments.Values.Select(EnvironmentDto.Of)));
        endpoints.MapPut("/v1/mesh/env/{name}", DefineAsync);
        return endpoints;
    }

    private static async Task<IResult> DefineAsync(
        string name, HttpContext http, IObservationHandler registry, RegistryFeed feed, IConfiguration configuration, TimeProvider clock,
        CancellationToken ct)
    {
        string body;
        using (var reader = new StreamReader(http.Request.Body))
            body = await reader.ReadToEndAsync(ct);

        var problems = new List<string>();
        var fallback = ParseFallback(body, problems) ?? EnvironmentNames.Integration;
        problems.AddRange(EnvironmentNames.Validate(name, fallback, TestLabel(configuration)));
        if (problems.Count > 0) return ConsulResults.Invalid("Invalid environment definition", problems);

        var metadata = new EventMetadata(
            SourceTime: clock.GetUtcNow(), CorrelationId: http.TraceIdentifier, SourceFactId: $"api:{http.TraceIdentifier}", RawPayload: body);
        var result = await registry.DefineEnvironmentAsync(name, fallback, metadata, ct);
        if (result.IsRejected) return ConsulResults.BadRequest($"Invalid environment definition: {result.Error}");
        // Read-your-writes, as for registrations: past the bound the definition still stands, a read may just not show it yet.
        if (result.Position > 0 && feed.Current.Position < result.Position)
            await feed.WaitForNewerAsync(result.Position - 1, ReadYourWrite, ct);

        var entry = EnvironmentView.Of(feed.Current).Environments.GetValueOrDefault(name);
        return entry is null ? Results.Accepted() : Results.Json(EnvironmentDto.Of(entry));
    }

    /// <summary>The body's Fallback (null when the body is empty or leaves it out); problems are added to <paramref name="problems"/>.</summary>
    private static string? ParseFallback(string body, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            problems.Add($"body is not JSON: {ex.Message}");
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add("body must be a JSON object such as {\"Fallback\":\"integration\"}");
                return null;
            }
            return new ConsulJsonObject(document.RootElement, "", problems).String("Fallback");
        }
    }

    // The DNS names environments under <env>.<test domain>; its first label is reserved. Read here rather than through
    // the DNS options so that the API refuses the same names whether or not the DNS runs.
    private static string TestLabel(IConfiguration configuration)
    {
        var domain = configuration["Mesh:Dns:TestDomain"] is { Length: > 0 } configured ? configured : DefaultTestDomain;
        return domain.Split('.')[0].ToLowerInvariant();
    }

    private sealed record EnvironmentDto(string Name, string? Fallback, bool Defined, int InstanceCount, IReadOnlyList<string> Services)
    {
        public static EnvironmentDto Of(EnvironmentEntry e) => new(e.Name, e.Fallback, e.Defined, e.InstanceCount, [.. e.Services.Keys]);
    }
}
