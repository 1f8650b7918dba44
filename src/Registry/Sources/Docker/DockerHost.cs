namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// What the mapper needs to know about the host the container runs on: its node name, the address other hosts reach
/// it at (host-networked and published ports), and the Docker network whose container IPs are routable (null: none
/// chosen, so published ports come first and the first network with an IP after them).
/// </summary>
public sealed record DockerHost(string Node, string HostAddress, string? Network);
