namespace Mesh.Registry.Health;

/// <summary>What the checker has done so far; tests wait on these, metrics may read them.</summary>
internal sealed class HealthCounters
{
    private long _probes;
    private long _ttlEvaluations;
    private long _reaperRuns;

    /// <summary>HTTP and TCP probes completed, their result handed to the registry.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>Times a TTL runner looked at its check.</summary>
    public long TtlEvaluations => Interlocked.Read(ref _ttlEvaluations);

    /// <summary>Reaper passes completed.</summary>
    public long ReaperRuns => Interlocked.Read(ref _reaperRuns);

    public void Probed() => Interlocked.Increment(ref _probes);

    public void TtlEvaluated() => Interlocked.Increment(ref _ttlEvaluations);

    public void Reaped() => Interlocked.Increment(ref _reaperRuns);
}
