using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Marathon;

/// <summary>
/// What the Marathon source is doing, for <c>/v1/mesh/status</c>, metrics and tests. Replaced whole on every
/// change, so a reader never sees half an update.
/// </summary>
public sealed class MarathonSourceStatus
{
    private Snapshot _current;

    public MarathonSourceStatus(IReadOnlyList<string> urls, string node) =>
        _current = new Snapshot(urls, node, false, null, null, 0, null, null, 0, 0, 0, 0, 0);

    public Snapshot Current => Volatile.Read(ref _current);

    internal void Update(Func<Snapshot, Snapshot> change)
    {
        while (true)
        {
            var before = Volatile.Read(ref _current);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, change(before), before), before)) return;
        }
    }

    /// <param name="Urls">The masters configured.</param>
    /// <param name="Node">The node Marathon's instances are registered under.</param>
    /// <param name="Connected">Following a leader's event stream now.</param>
    /// <param name="Leader">The leader the stream came from (after redirects).</param>
    /// <param name="LastError">Why the last connection failed or ended.</param>
    /// <param name="Failures">Failed or lost connections since start.</param>
    /// <param name="LastReconcile">The last reconcile's summary.</param>
    /// <param name="LastReconcileAt">When it finished.</param>
    /// <param name="Reconciles">Reconciles finished since start.</param>
    /// <param name="FixedTotal">Registrations plus deregistrations that reconciles made since start.</param>
    /// <param name="Events">Events that mapped to something.</param>
    /// <param name="Ignored">Events deliberately ignored (deployments, API calls, ...).</param>
    /// <param name="Malformed">Events that could not be understood (garbage data lines).</param>
    public sealed record Snapshot(
        IReadOnlyList<string> Urls,
        string Node,
        bool Connected,
        string? Leader,
        string? LastError,
        long Failures,
        SourceReconciled? LastReconcile,
        DateTimeOffset? LastReconcileAt,
        long Reconciles,
        long FixedTotal,
        long Events,
        long Ignored,
        long Malformed);
}
