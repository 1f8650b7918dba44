using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// The part of an inspect that the mapper reads, as JSON for an observation's raw payload: enough to tell later why a
/// container was registered or rejected, without the whole inspect (and without environment variables other than
/// registrator's <c>SERVICE_*</c>, which may hold secrets).
/// </summary>
internal static class ContainerPayload
{
    public static string Of(ContainerInspectResponse container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var labels = new JsonObject();
        foreach (var (key, value) in container.Config?.Labels ?? new Dictionary<string, string>())
            labels[key] = value;
        var env = new JsonArray();
        foreach (var variable in container.Config?.Env ?? [])
            if (variable.StartsWith("SERVICE_", StringComparison.Ordinal)) env.Add(variable);
        var networks = new JsonObject();
        foreach (var (name, settings) in container.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>())
            networks[name] = settings?.IPAddress ?? "";
        var ports = new JsonObject();
        foreach (var (port, bindings) in container.NetworkSettings?.Ports ?? new Dictionary<string, IList<PortBinding>>())
            ports[port] = new JsonArray([.. (bindings ?? []).Select(b => (JsonNode?)JsonValue.Create($"{b.HostIP}:{b.HostPort}"))]);

        var payload = new JsonObject
        {
            ["Id"] = container.ID,
            ["Name"] = container.Name,
            ["Image"] = container.Config?.Image,
            ["State"] = new JsonObject
            {
                ["Status"] = container.State?.Status,
                ["Paused"] = container.State?.Paused,
                ["Health"] = container.State?.Health?.Status,
            },
            ["Labels"] = labels,
            ["Env"] = env,
            ["NetworkMode"] = container.HostConfig?.NetworkMode,
            ["Networks"] = networks,
            ["Ports"] = ports,
        };
        return payload.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
