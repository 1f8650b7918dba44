using System.Collections.Concurrent;

namespace Mesh.Registry.Health;

/// <summary>
/// When each TTL check last heard from its service. A TTL update that repeats the status and output appends nothing
/// to the log, so the log alone cannot tell that the service is still alive: the API calls <see cref="Beat"/> on
/// every <c>PUT /v1/agent/check/pass|warn|fail</c> (before it hands over the observation), and the checker counts
/// the TTL from the later of the last beat and the check's last transition. Kept in memory only: after a restart
/// each TTL check gets one full TTL from the moment the checker picks it up again.
/// </summary>
public sealed class TtlHeartbeats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<CheckKey, DateTimeOffset> _beats = new();

    /// <summary>The service behind <paramref name="instanceId"/> reported on TTL check <paramref name="checkId"/> just now.</summary>
    public void Beat(string instanceId, string checkId) =>
        _beats[new CheckKey(instanceId, checkId)] = clock.GetUtcNow();

    internal DateTimeOffset? LastBeat(CheckKey key) => _beats.TryGetValue(key, out var at) ? at : null;

    internal void Forget(CheckKey key) => _beats.TryRemove(key, out _);
}
