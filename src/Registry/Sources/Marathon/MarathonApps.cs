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
    IReadOnlyList<MarathonTask>? Tasks,
    IReadOnlyList<MarathonPort>? PortDefinitions = null,
    MarathonContainer? Container = null)
{
    /// <summary>The app's ports in index order (<c>portDefinitions</c>, else the container's port mappings).</summary>
    public IReadOnlyList<MarathonPort> Ports =>
        PortDefinitions is { Count: > 0 } definitions ? definitions
        : Container?.PortMappings is { Count: > 0 } mappings ? mappings
        : Container?.Docker?.PortMappings ?? [];
}

/// <summary>A port definition or port mapping: only its labels matter here.</summary>
public sealed record MarathonPort(IReadOnlyDictionary<string, string>? Labels);

public sealed record MarathonContainer(IReadOnlyList<MarathonPort>? PortMappings, MarathonDocker? Docker);

public sealed record MarathonDocker(IReadOnlyList<MarathonPort>? PortMappings);

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
