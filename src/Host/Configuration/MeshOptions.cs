namespace Mesh.Host.Configuration;

/// <summary>The top of the <c>Mesh</c> section: which role this process plays and where its data lives.</summary>
public sealed class MeshOptions
{
    public const string Section = "Mesh";
    public const string All = "all";
    public const string Agent = "agent";
    public const string Registry = "registry";
    public const string Edge = "edge";
    public static readonly string[] Roles = [All, Agent, Registry, Edge];

    /// <summary><c>Mesh:Role</c>: all (default), agent, registry or edge.</summary>
    public string Role { get; set; } = "all";

    /// <summary><c>Mesh:DataDir</c>: the embedded store and snapshots.</summary>
    public string DataDir { get; set; } = "./data";
}

/// <summary>The role this process plays (<c>Mesh:Role</c>), for the status endpoint.</summary>
internal sealed record MeshRole(string Name);
