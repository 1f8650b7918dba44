namespace Mesh.Registry.Instances;

/// <summary>
/// Where sources send observations. In role <c>all</c> this is the registry itself; an agent sends them over the bus.
/// </summary>
public interface IObservationHandler
{
    Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default);

    /// <summary>Records a source's reconcile summary; returns its position in the log.</summary>
    Task<long> RecordReconcileAsync(Events.SourceReconciled summary, CancellationToken ct = default);

    /// <summary>Records a source fact kept for forensics only; returns its position in the log.</summary>
    Task<long> RecordSourceFactAsync(Events.SourceFactRecorded fact, Events.EventMetadata metadata, CancellationToken ct = default);

    /// <summary>
    /// Defines environment <paramref name="name"/> with <paramref name="fallback"/> (<c>EnvironmentDefined</c> on
    /// stream <c>env-{name}</c>). Idempotent: the same definition again appends nothing (position 0). An invalid
    /// definition appends nothing and returns why (<see cref="EnvironmentValidation"/>).
    /// </summary>
    Task<ObservationResult> DefineEnvironmentAsync(string name, string fallback, Events.EventMetadata metadata, CancellationToken ct = default);
}

/// <summary>
/// The outcome of one observation: the position of the last event it appended (0 when it appended nothing) and,
/// when it was refused, why.
/// </summary>
public sealed record ObservationResult(long Position, int EventCount, string? Error)
{
    public bool IsRejected => Error is not null;
}
