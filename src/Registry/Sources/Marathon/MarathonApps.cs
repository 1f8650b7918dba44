using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Registry.Sources.Marathon;

/// <summary><c>GET /v2/apps?embed=apps.tasks</c>: the fields Mesh reads.</summary>
public sealed record MarathonAppList(IReadOnlyList<MarathonApp>? Apps)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MarathonAppList Parse(string json) =>
        JsonSerializer.Deserialize<MarathonAppList>(json, Json) ?? new MarathonAppList([]);
}

public sealed record MarathonApp(
    string Id,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyList<JsonElement>? HealthChecks,
    IReadOnlyList<MarathonTask>? Tasks);

public sealed record MarathonTask(
    string Id,
    string? AppId,
    string? Host,
    IReadOnlyList<int>? Ports,
    IReadOnlyList<MarathonIpAddress>? IpAddresses,
    string? State,
    IReadOnlyList<MarathonHealthResult>? HealthCheckResults);

public sealed record MarathonIpAddress(string? IpAddress, string? Protocol);

public sealed record MarathonHealthResult([property: JsonPropertyName("alive")] bool Alive);
