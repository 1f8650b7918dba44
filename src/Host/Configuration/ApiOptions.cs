namespace Mesh.Host.Configuration;

/// <summary><c>Mesh:Api</c>: the HTTP API (Consul-compatible, admin, metrics).</summary>
public sealed class ApiOptions
{
    public const string Section = "Mesh:Api";

    /// <summary><c>Mesh:Api:Url</c>: where the API listens.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8500";

    /// <summary><c>Mesh:Api:Token</c>: when set, writes and admin reads need it (X-Mesh-Token, X-Consul-Token or ?token=).</summary>
    public string? Token { get; set; }

    /// <summary><c>Mesh:Api:NodeName</c>: the node name the Consul API reports (default: the machine name).</summary>
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary><c>Mesh:Api:Datacenter</c>: the datacenter the Consul API reports.</summary>
    public string Datacenter { get; set; } = "dc1";
}
