namespace Mesh.Registry.Instances;

/// <summary>
/// The registered instances as the read side last folded them. Registry-side workers (the health checker,
/// reconcilers) read it instead of keeping their own copy of the log; the projections provide it.
/// </summary>
public interface IInstanceView
{
    /// <summary>The position the view reflects and its registered instances.</summary>
    (long Position, IReadOnlyCollection<InstanceState> Instances) Snapshot();

    /// <summary>Completes when the view moves past <paramref name="position"/> or <paramref name="timeout"/> passes.</summary>
    Task WaitForChangeAsync(long position, TimeSpan timeout, CancellationToken ct = default);
}
