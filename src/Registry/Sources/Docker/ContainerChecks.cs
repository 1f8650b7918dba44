using Docker.DotNet.Models;
using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// The two checks whose status the Docker source reports (<see cref="CheckKind.Source"/>): <c>docker:health</c>
/// follows the container's HEALTHCHECK, <c>docker:state</c> is critical while it is paused. Passing carries an empty
/// output, as a new check starts with, so that reporting the state of a freshly registered container appends nothing.
/// </summary>
internal static class ContainerChecks
{
    public const string Health = ContainerMapper.HealthCheckId;
    public const string State = ContainerMapper.StateCheckId;
    public const string Paused = ContainerMapper.PausedOutput;

    public sealed record Report(string CheckId, HealthStatus Status, string Output);

    public static readonly Report Running = new(State, HealthStatus.Passing, "");
    public static readonly Report Suspended = new(State, HealthStatus.Critical, Paused);

    /// <summary>
    /// What inspect says now. A health of <c>starting</c> reports nothing: a new container's check already starts
    /// critical, and an engine restart resets every health to <c>starting</c> without the container changing, which
    /// must not flap a healthy instance.
    /// </summary>
    public static IReadOnlyList<Report> Current(ContainerInspectResponse container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var reports = new List<Report>(2) { container.State?.Paused == true ? Suspended : Running };
        if (FromHealth(container.State?.Health?.Status) is { } health && container.State?.Health?.Status != "starting")
            reports.Add(health);
        return reports;
    }

    /// <summary>A Docker health status (<c>healthy</c>, <c>unhealthy</c>, <c>starting</c>) as a report; null for none.</summary>
    public static Report? FromHealth(string? status) => status switch
    {
        "healthy" => new Report(Health, HealthStatus.Passing, ""),
        "unhealthy" => new Report(Health, HealthStatus.Critical, "unhealthy"),
        "starting" => new Report(Health, HealthStatus.Critical, "starting"),
        _ => null,
    };
}
