using Mesh.Registry.Events;

namespace Mesh.Registry.Health;

/// <summary>
/// Where the API reports that a TTL check heard from its service (<c>PUT /v1/agent/check/pass|warn|fail</c>,
/// <c>/check/update</c>), before it hands the <c>CheckReported</c> over. By default (<see cref="LocalTtlHeartbeatSink"/>,
/// role <c>all</c>) the process's own <see cref="TtlHeartbeats"/>, which the health checker reads. In the distributed
/// shape the checker runs on the leading registry only, so the bus replaces this with a sink that also fans the
/// beat out to every registry. Fire-and-forget: it never throws into the API and never waits for the network.
/// </summary>
public interface ITtlHeartbeatSink
{
    /// <summary>The service behind <paramref name="instanceId"/> reported <paramref name="status"/> on TTL check <paramref name="checkId"/> just now.</summary>
    void Beat(string instanceId, string checkId, HealthStatus status);
}

/// <summary>The sink of one process: the beat goes to its own <see cref="TtlHeartbeats"/> only.</summary>
public sealed class LocalTtlHeartbeatSink(TtlHeartbeats heartbeats) : ITtlHeartbeatSink
{
    public void Beat(string instanceId, string checkId, HealthStatus status) => heartbeats.Beat(instanceId, checkId);
}
