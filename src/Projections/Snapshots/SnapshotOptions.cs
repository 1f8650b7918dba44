namespace Mesh.Projections.Snapshots;

/// <summary>Where the registry projection keeps its checkpoint, and how often it writes one.</summary>
public sealed class SnapshotOptions
{
    /// <summary>Directory for snapshot files; the host sets it to <c>{Mesh:DataDir}/snapshots</c>.</summary>
    public string Directory { get; set; } = Path.Combine("data", "snapshots");

    /// <summary>Write a snapshot after this many events have been applied since the last one (<c>Mesh:Projections:SnapshotEvery</c>).</summary>
    public int SnapshotEvery { get; set; } = 10_000;

    /// <summary>
    /// Archive the state in the store at every multiple of <see cref="SnapshotEvery"/> (for the registry at any
    /// instant). On in roles all and registry (there, on the leader only); the host turns it off on edges and agents,
    /// which only follow the log.
    /// </summary>
    public bool Archive { get; set; } = true;
}
