using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// What the Docker source is doing, for <c>/v1/mesh/status</c>, metrics and tests: connected or not, the last
/// reconcile, and how many registrations and deregistrations reconciles have had to make (a non-zero periodic
/// count means events were missed). Replaced whole on every change, so a reader never sees half an update.
/// </summary>
public sealed class DockerSourceStatus
{
    private Snapshot _current;

    public DockerSourceStatus(string endpoint, string node) =>
        _current = new Snapshot(endpoint, node, false, null, null, null, 0, null, null, null, 0, 0, 0);

    public Snapshot Current => Volatile.Read(ref _current);

    internal void Update(Func<Snapshot, Snapshot> change)
    {
        while (true)
        {
            var before = Volatile.Read(ref _current);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, change(before), before), before)) return;
        }
    }

    /// <param name="Endpoint">The engine followed.</param>
    /// <param name="Node">The node its containers are registered under.</param>
    /// <param name="Connected">Following the engine's events now.</param>
    /// <param name="EngineVersion">Docker's version, once connected.</param>
    /// <param name="ApiVersion">The Engine API version negotiated.</param>
    /// <param name="LastError">Why the engine was last unreachable or lost.</param>
    /// <param name="Failures">Failed connection attempts since start.</param>
    /// <param name="LastEventAt">The engine's time of the last container event handled.</param>
    /// <param name="LastReconcile">The last reconcile's summary.</param>
    /// <param name="LastReconcileAt">When it finished.</param>
    /// <param name="Reconciles">Reconciles finished since start.</param>
    /// <param name="FixedTotal">Registrations plus deregistrations that reconciles made since start.</param>
    /// <param name="Events">Container events handled since start.</param>
    public sealed record Snapshot(
        string Endpoint,
        string Node,
        bool Connected,
        string? EngineVersion,
        string? ApiVersion,
        string? LastError,
        long Failures,
        DateTimeOffset? LastEventAt,
        SourceReconciled? LastReconcile,
        DateTimeOffset? LastReconcileAt,
        long Reconciles,
        long FixedTotal,
        long Events);
}
