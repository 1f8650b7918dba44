using Docker.DotNet.Models;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Container (as <c>GET /containers/{id}/json</c> describes it) → observations. Pure: labels, environment, networks
/// and ports in; one <see cref="InstanceSeen"/> per service the container carries, or an <see cref="InstanceInvalid"/>
/// with every reason it cannot be registered.
/// </summary>
public static class ContainerMapper
{
    public static IReadOnlyList<Observation> Map(ContainerInspectResponse container, DockerHost host) =>
        throw new NotImplementedException();
}

/// <summary>What the mapper needs to know about the host the container runs on.</summary>
public sealed record DockerHost(string Node, string HostAddress, string? Network);
