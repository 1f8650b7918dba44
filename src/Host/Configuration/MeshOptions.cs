namespace Mesh.Host.Configuration;

/// <summary>The top of the <c>Mesh</c> section: which role this process plays and where its data lives.</summary>
public sealed class MeshOptions
{
    public const string Section = "Mesh";
    public static readonly string[] Roles = ["all", "agent", "registry", "edge"];

    /// <summary><c>Mesh:Role</c>: all (default), agent, registry or edge.</summary>
    public string Role { get; set; } = "all";

    /// <summary><c>Mesh:DataDir</c>: the embedded store and snapshots.</summary>
    public string DataDir { get; set; } = "./data";
}
