using Mesh.Projections.State;
using Microsoft.Extensions.Options;

namespace Mesh.Projections.Snapshots;

/// <summary>
/// The projection's checkpoint: the whole <see cref="RegistryState"/> (<see cref="SnapshotCodec"/>), written to a
/// temporary file and renamed over the previous one so a crash leaves either the old snapshot or the new one, never
/// half of one.
/// </summary>
public sealed class SnapshotStore(IOptions<SnapshotOptions> options)
{
    /// <summary>The file in <see cref="SnapshotOptions.Directory"/>. (The first format's file, <c>registry.snapshot.json</c>, is no longer read: the log is replayed once instead.)</summary>
    public const string FileName = "registry.snapshot";

    private string FilePath => Path.Combine(options.Value.Directory, FileName);

    public async Task SaveAsync(RegistryState state, CancellationToken ct = default)
    {
        Directory.CreateDirectory(options.Value.Directory);
        var temp = FilePath + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await file.WriteAsync(SnapshotCodec.Encode(state), ct).ConfigureAwait(false);
            await file.FlushAsync(ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }

    /// <summary>The last snapshot, or null when there is none or it cannot be read (then the log is replayed from zero).</summary>
    public async Task<RegistryState?> LoadAsync(CancellationToken ct = default) =>
        File.Exists(FilePath) ? SnapshotCodec.Decode(await File.ReadAllBytesAsync(FilePath, ct).ConfigureAwait(false)) : null;

    public void Delete()
    {
        if (File.Exists(FilePath)) File.Delete(FilePath);
    }
}
