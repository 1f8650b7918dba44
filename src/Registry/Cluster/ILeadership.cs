namespace Mesh.Registry.Cluster;

/// <summary>
/// Whether this process leads: the work that must run once in a cluster (health checks, the Marathon source,
/// archiving snapshots) runs on the leader only. In role <c>all</c> the one process always leads.
/// </summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>
    /// Completes when this process leads, with a token that is cancelled when it stops leading (or when
    /// <paramref name="ct"/> is cancelled).
    /// </summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken ct);
}

/// <summary>The only process there is: leads from the start and never stops.</summary>
public sealed class AlwaysLeader : ILeadership
{
    public bool IsLeader => true;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken ct) => Task.FromResult(ct);
}
