namespace Mesh.Registry.Sources.Docker;

/// <summary><c>Mesh:Sources:Docker</c>: one Docker engine whose containers this process follows.</summary>
public sealed class DockerSourceOptions
{
    public const string Section = "Mesh:Sources:Docker";

    /// <summary><c>Endpoint</c>: <c>unix:///var/run/docker.sock</c> or <c>tcp://host:2376</c>; unset: no Docker source.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>HostAddress</c>: the address other hosts reach this host's containers at (default: the first non-loopback address).</summary>
    public string? HostAddress { get; set; }

    /// <summary><c>Node</c>: this host's node name (default: the machine's host name).</summary>
    public string? Node { get; set; }

    /// <summary><c>Network</c>: the Docker network whose container IP is the instance address (default: the first one).</summary>
    public string? Network { get; set; }

    /// <summary><c>ReconcileInterval</c>: how often to list containers and fix what events missed.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>MaxBackoff</c>: the longest wait between reconnect attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>TlsCaFile</c>, <c>TlsCertFile</c>, <c>TlsKeyFile</c>: TLS client authentication for a TCP endpoint, as the Docker CLI uses them.</summary>
    public string? TlsCaFile { get; set; }

    public string? TlsCertFile { get; set; }

    public string? TlsKeyFile { get; set; }
}
