namespace Mesh.Projections.Snapshots;

/// <summary>Where the registry projection keeps its checkpoint, and how often it writes one.</summary>
public sealed class SnapshotOptions
{
    /// <summary>Directory for snapshot files; the host sets it to <c>{Mesh:DataDir}/snapshots</c>.</summary>
    public string Directory { get; set; } = Path.Combine("data", "snapshots");

    /// <summary>Write a snapshot after this many events have been applied since the last one (<c>Mesh:Projections:SnapshotEvery</c>).</summary>
    public int SnapshotEvery { get; set; } = 10_000;
}
