namespace Mesh.Registry.Store;

/// <summary>
/// Whether the event store's backend answered last time it was asked, and the last failure, for
/// <c>/v1/mesh/status</c> and tests. The embedded store never reports here (it is a file: always reachable); a server
/// backend reports each failure and the first success after one. Replaced whole on every change, so a reader never
/// sees half an update.
/// </summary>
public sealed class StoreHealth(TimeProvider clock)
{
    private Snapshot _current = new(true, null, null, 0);

    public StoreHealth() : this(TimeProvider.System) { }

    public Snapshot Current => Volatile.Read(ref _current);

    /// <summary>The backend answered the last request (true until a request has failed).</summary>
    public bool Reachable => Current.Reachable;

    public string? LastError => Current.LastError;

    public DateTimeOffset? LastErrorAt => Current.LastErrorAt;

    /// <summary>Records a request that reached the backend; true when the store was unreachable until now.</summary>
    internal bool ReportReachable()
    {
        while (true)
        {
            var before = Volatile.Read(ref _current);
            if (before.Reachable) return false;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, before with { Reachable = true }, before), before)) return true;
        }
    }

    /// <summary>Records a request that failed to reach the backend; true when the store was reachable until now.</summary>
    internal bool ReportUnreachable(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var at = clock.GetUtcNow();
        while (true)
        {
            var before = Volatile.Read(ref _current);
            var after = new Snapshot(false, error.Message, at, before.Failures + 1);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, after, before), before)) return before.Reachable;
        }
    }

    /// <param name="Reachable">The backend answered the last request.</param>
    /// <param name="LastError">Why the last failed request failed.</param>
    /// <param name="LastErrorAt">When it failed.</param>
    /// <param name="Failures">Failed requests since start.</param>
    public sealed record Snapshot(bool Reachable, string? LastError, DateTimeOffset? LastErrorAt, long Failures);
}
