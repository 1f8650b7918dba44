using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>The few Consul API calls the end-to-end tests make, as a Consul user would make them (plain HTTP + JSON).</summary>
internal static class ConsulHttp
{
    public static async Task<HttpResponseMessage> RegisterAsync(this HttpClient client, string json, CancellationToken ct) =>
        await client.PutAsync("/v1/agent/service/register", new StringContent(json, Encoding.UTF8, "application/json"), ct);

    public static Task<HttpResponseMessage> RegisterAsync(this HttpClient client, JsonObject body, CancellationToken ct) =>
        client.RegisterAsync(body.ToJsonString(), ct);

    /// <summary>A JSON read that must answer 200; the failure message carries the status and body.</summary>
    public static async Task<ConsulRead<T>> ReadAsync<T>(this HttpClient client, string path, CancellationToken ct) where T : JsonNode
    {
        using var response = await client.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
        var index = response.Headers.TryGetValues("X-Consul-Index", out var values)
            ? long.Parse(values.Single(), CultureInfo.InvariantCulture)
            : (long?)null;
        var body = JsonNode.Parse(text) as T ?? throw new HttpRequestException($"GET {path} answered {text}, not a JSON {typeof(T).Name}");
        return new ConsulRead<T>(body, index);
    }

    public static async Task<JsonArray> HealthServiceAsync(this HttpClient client, string name, bool passing, CancellationToken ct) =>
        (await client.ReadAsync<JsonArray>($"/v1/health/service/{name}{(passing ? "?passing" : "")}", ct)).Body;

    public static async Task<HashSet<string>> CatalogServiceIdsAsync(this HttpClient client, string name, CancellationToken ct) =>
        (await client.ReadAsync<JsonArray>($"/v1/catalog/service/{name}", ct)).Body
            .Select(e => (string)e!["ServiceID"]!)
            .ToHashSet(StringComparer.Ordinal);

    public static async Task<HashSet<string>> AgentServiceIdsAsync(this HttpClient client, CancellationToken ct) =>
        (await client.ReadAsync<JsonObject>("/v1/agent/services", ct)).Body
            .Select(p => (string)p.Value!["ID"]!)
            .ToHashSet(StringComparer.Ordinal);
}

internal sealed record ConsulRead<T>(T Body, long? Index) where T : JsonNode;
