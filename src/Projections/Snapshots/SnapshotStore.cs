using System.Text.Json;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Microsoft.Extensions.Options;

namespace Mesh.Projections.Snapshots;

/// <summary>
/// The projection's checkpoint: the whole <see cref="RegistryState"/> as JSON, written to a temporary file and
/// renamed over the previous one so a crash leaves either the old snapshot or the new one, never half of one.
/// </summary>
public sealed class SnapshotStore(IOptions<SnapshotOptions> options)
{
    // Bumped when RegistryState's shape changes in a way old snapshots cannot load; such snapshots are ignored
    // and the state is rebuilt from the log.
    private const int FormatVersion = 1;
    private const string FileName = "registry.snapshot.json";

    private string FilePath => Path.Combine(options.Value.Directory, FileName);

    public async Task SaveAsync(RegistryState state, CancellationToken ct = default)
    {
        Directory.CreateDirectory(options.Value.Directory);
        var temp = FilePath + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await JsonSerializer.SerializeAsync(file, new Snapshot(FormatVersion, state), EventSerializer.Options, ct).ConfigureAwait(false);
            await file.FlushAsync(ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }

    /// <summary>The last snapshot, or null when there is none or it cannot be read (then the log is replayed from zero).</summary>
    public async Task<RegistryState?> LoadAsync(CancellationToken ct = default)
    {
        if (!File.Exists(FilePath)) return null;
        try
        {
            await using var file = File.OpenRead(FilePath);
            var snapshot = await JsonSerializer.DeserializeAsync<Snapshot>(file, EventSerializer.Options, ct).ConfigureAwait(false);
            return snapshot is { Format: FormatVersion } ? snapshot.State : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Delete()
    {
        if (File.Exists(FilePath)) File.Delete(FilePath);
    }

    private sealed record Snapshot(int Format, RegistryState State);
}
