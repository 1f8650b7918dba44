using System.Collections.Concurrent;

namespace Mesh.Registry.Health;

/// <summary>
/// When each TTL check last heard from its service. A TTL update that repeats the status and output appends nothing
/// to the log, so the log alone cannot tell that the service is still alive: the API calls <see cref="Beat"/> on
/// every <c>PUT /v1/agent/check/pass|warn|fail</c> (before it hands over the observation; through
/// <see cref="ITtlHeartbeatSink"/>, which in a cluster also brings beats that other processes' APIs took, over the
/// bus), and the checker counts the TTL from the later of the last beat and the check's last transition. Kept in
/// memory only: after a restart each TTL check gets one full TTL from the moment the checker picks it up again.
/// </summary>
public sealed class TtlHeartbeats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<CheckKey, DateTimeOffset> _beats = new();

    /// <summary>The service behind <paramref name="instanceId"/> reported on TTL check <paramref name="checkId"/> just now.</summary>
    public void Beat(string instanceId, string checkId) => Beat(instanceId, checkId, clock.GetUtcNow());

    /// <summary>
    /// The service reported at <paramref name="at"/> (another process's clock, when the beat came over the bus). A
    /// beat never moves the last one back (beats may arrive out of order, or twice) nor past this clock's now (a
    /// sender whose clock runs ahead must not stretch the TTL).
    /// </summary>
    public void Beat(string instanceId, string checkId, DateTimeOffset at)
    {
        var now = clock.GetUtcNow();
        if (at > now) at = now;
        _beats.AddOrUpdate(new CheckKey(instanceId, checkId), at, (_, last) => at > last ? at : last);
    }

    /// <summary>When TTL check <paramref name="checkId"/> of <paramref name="instanceId"/> last heard from its service, if it did since this process started.</summary>
    public DateTimeOffset? LastBeat(string instanceId, string checkId) => LastBeat(new CheckKey(instanceId, checkId));

    internal DateTimeOffset? LastBeat(CheckKey key) => _beats.TryGetValue(key, out var at) ? at : null;

    internal void Forget(CheckKey key) => _beats.TryRemove(key, out _);
}
