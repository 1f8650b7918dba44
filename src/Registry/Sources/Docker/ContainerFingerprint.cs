using Docker.DotNet.Models;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// What both the cheap list and inspect show of a running container and can change while it runs (labels, ports
/// and networks cannot): its name, whether it is paused, its health. A periodic reconcile inspects again only the
/// containers whose fingerprint moved since they were last inspected.
/// </summary>
internal sealed record ContainerFingerprint(string Name, string State, string? Health)
{
    public static ContainerFingerprint Of(ContainerListResponse container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return new(container.Names?.FirstOrDefault() ?? "", container.State ?? "", HealthFromStatus(container.Status));
    }

    public static ContainerFingerprint Of(ContainerInspectResponse container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return new(container.Name ?? "", container.State?.Status ?? "", Normalize(container.State?.Health?.Status));
    }

    // The list has no health field at API 1.41, only the status text: "Up 5 minutes (healthy)",
    // "Up 3 seconds (health: starting)", "Up 1 second (Paused)".
    internal static string? HealthFromStatus(string? status)
    {
        if (status is null) return null;
        var open = status.LastIndexOf('(');
        var close = status.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var inner = status[(open + 1)..close].Trim();
        if (inner.StartsWith("health:", StringComparison.Ordinal)) inner = inner["health:".Length..].Trim();
        return Normalize(inner);
    }

    private static string? Normalize(string? health) => health is "healthy" or "unhealthy" or "starting" ? health : null;
}
