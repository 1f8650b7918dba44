using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Container (as <c>GET /containers/{id}/json</c> describes it) → observations. Pure: labels, environment, networks
/// and ports in; one <see cref="InstanceSeen"/> per service the container carries, or an <see cref="InstanceInvalid"/>
/// with every reason it cannot be registered. The conventions are in README.md in this folder.
/// </summary>
public static class ContainerMapper
{
    public const string Source = "docker";

    /// <summary>Every instance's container state: passing while running, critical with output <c>paused</c> while paused.</summary>
    public const string StateCheckId = "docker:state";

    /// <summary>The container's HEALTHCHECK as Docker reports it (output: Docker's word, <c>healthy</c>, <c>unhealthy</c>, <c>starting</c>).</summary>
    public const string HealthCheckId = "docker:health";

    /// <summary>The HTTP check of <c>mesh.check.http</c>, probed by Mesh's health checker.</summary>
    public const string HttpCheckId = "docker:http";

    /// <summary>Meta key saying why an instance has no usable port (Port 0): recorded, not routed.</summary>
    public const string UnroutableMeta = "mesh-unroutable";

    public const string PausedOutput = "paused";

    /// <summary>
    /// The container's services: one, or one per port when registrator's <c>SERVICE_&lt;port&gt;_NAME</c> names
    /// ports and no <c>mesh.service</c> label names the container. Empty when the container asks to be ignored.
    /// Whether the container runs is the caller's business: this describes what it would register.
    /// </summary>
    public static IReadOnlyList<Observation> Map(ContainerInspectResponse container, DockerHost host)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(host);
        var settings = ContainerSettings.Read(container.Config);
        IReadOnlyList<string?> ports = settings.Label(MeshLabels.Service) is null && settings.NamedPorts() is { Count: > 0 } named
            ? (IReadOnlyList<string?>)named
            : [null];
        var observations = new List<Observation>(ports.Count);
        foreach (var port in ports)
        {
            if (ServiceMapping.Map(container, host, settings, port) is { } observation) observations.Add(observation);
        }
        return observations;
    }
}
