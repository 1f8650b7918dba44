using Mesh.Registry.Configuration;
using System.Net;

namespace Mesh.Registry.Sources.Docker;

/// <summary><c>Mesh:Sources:Docker</c>: one Docker engine whose containers this process follows.</summary>
public sealed class DockerSourceOptions : IValidatableOptions
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

    /// <summary>Every problem with these settings, each naming its key; empty when they are valid (or the source is off).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Endpoint)) return errors;

        var endpoint = ParseEndpoint(Endpoint);
        if (endpoint is null)
            errors.Add($"{Section}:Endpoint must be unix:///path/to/docker.sock or tcp://host:port (was '{Endpoint}')");
        if (HostAddress is not null && !IsHostOrIp(HostAddress))
            errors.Add($"{Section}:HostAddress must be an IP address or a host name (was '{HostAddress}')");
        if (Node is not null && (Node.Length == 0 || Node.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/')))
            errors.Add($"{Section}:Node must be a name without whitespace or '/' (was '{Node}')");
        if (ReconcileInterval <= TimeSpan.Zero) errors.Add($"{Section}:ReconcileInterval must be positive (was {ReconcileInterval})");
        if (MaxBackoff <= TimeSpan.Zero) errors.Add($"{Section}:MaxBackoff must be positive (was {MaxBackoff})");

        if (UsesTls)
        {
            if (endpoint is not null && endpoint.Scheme != "tcp")
                errors.Add($"{Section}:TlsCaFile, TlsCertFile and TlsKeyFile apply to a tcp:// endpoint only (Endpoint is '{Endpoint}')");
            if (string.IsNullOrWhiteSpace(TlsCertFile) != string.IsNullOrWhiteSpace(TlsKeyFile))
                errors.Add($"{Section}:TlsCertFile and {Section}:TlsKeyFile go together: set both or neither");
            foreach (var (key, file) in new[] { ("TlsCaFile", TlsCaFile), ("TlsCertFile", TlsCertFile), ("TlsKeyFile", TlsKeyFile) })
            {
                if (!string.IsNullOrWhiteSpace(file) && !File.Exists(file))
                    errors.Add($"{Section}:{key}: file '{file}' does not exist");
            }
        }
        return errors;
    }

    internal bool UsesTls =>
        !string.IsNullOrWhiteSpace(TlsCaFile) || !string.IsNullOrWhiteSpace(TlsCertFile) || !string.IsNullOrWhiteSpace(TlsKeyFile);

    /// <summary>The endpoint as a URI when it is a usable unix:// or tcp:// one, else null.</summary>
    internal static Uri? ParseEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)) return null;
        return uri.Scheme switch
        {
            "unix" when uri.AbsolutePath.Length > 1 => uri,
            "tcp" when uri.Host.Length > 0 && !uri.IsDefaultPort && uri.AbsolutePath is "/" or "" => uri,
            _ => null,
        };
    }

    private static bool IsHostOrIp(string address) =>
        IPAddress.TryParse(address, out _) || Uri.CheckHostName(address) == UriHostNameType.Dns;
}
