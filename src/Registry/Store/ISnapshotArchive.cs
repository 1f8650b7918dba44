namespace Mesh.Registry.Store;

/// <summary>
/// Snapshots of the read side kept beside the log, so that the registry at any position is the nearest snapshot
/// before it plus the events after. The store keeps them as opaque bytes: what a snapshot holds is the read side's
/// business. Saving the same position twice keeps the first.
/// </summary>
public interface ISnapshotArchive
{
    Task SaveSnapshotAsync(long position, byte[] state, CancellationToken ct = default);

    /// <summary>The snapshot at the greatest position at or before <paramref name="position"/>; null when there is none.</summary>
    Task<ArchivedSnapshot?> ReadSnapshotAsync(long position, CancellationToken ct = default);
}

/// <summary>One archived snapshot: the log position it reflects and its bytes.</summary>
public sealed record ArchivedSnapshot(long Position, byte[] State);
