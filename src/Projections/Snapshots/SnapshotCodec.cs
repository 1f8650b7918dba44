using System.IO.Compression;
using System.Text.Json;
using Mesh.Projections.State;
using Mesh.Registry.Events;

namespace Mesh.Projections.Snapshots;

/// <summary>
/// A <see cref="RegistryState"/> as archived in the store: the snapshot file's JSON, gzip-compressed (a registry of
/// 10,000 instances is megabytes of JSON, and the archive holds one every N events).
/// </summary>
public static class SnapshotCodec
{
    // Bumped when RegistryState's shape changes so that old snapshots cannot load; they are then skipped.
    private const int FormatVersion = 1;

    public static byte[] Encode(RegistryState state)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(gzip, new Archived(FormatVersion, state), EventSerializer.Options);
        return buffer.ToArray();
    }

    /// <summary>The state, or null when the bytes are of another format version or not a snapshot at all.</summary>
    public static RegistryState? Decode(byte[] bytes)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            return JsonSerializer.Deserialize<Archived>(gzip, EventSerializer.Options) is { Format: FormatVersion } archived ? archived.State : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private sealed record Archived(int Format, RegistryState State);
}
