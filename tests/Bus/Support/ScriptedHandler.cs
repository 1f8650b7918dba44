using System.Collections.Concurrent;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Bus.Tests.Support;

/// <summary>
/// The registry's consumers' handler in a test: the real <see cref="InstanceRegistry"/>, counting each observation
/// it is handed per instance, and failing where the test scripts it (before the registry decides, or after it
/// appended — as a crash before the acknowledgement would).
/// </summary>
internal sealed class ScriptedHandler(IObservationHandler inner) : IObservationHandler
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    /// <summary>Given the observation and how often its instance was handed over (1 = first), an exception to throw before deciding.</summary>
    public Func<Observation, int, Exception?> FailBefore { get; init; } = (_, _) => null;

    /// <summary>The same, thrown after the registry decided and appended.</summary>
    public Func<Observation, int, Exception?> FailAfter { get; init; } = (_, _) => null;

    /// <summary>An exception to throw instead of recording a source event (a reconcile summary or a fact).</summary>
    public Func<Exception?> FailSourceEvent { get; init; } = () => null;

    public ConcurrentQueue<(Observation Observation, ObservationResult Result)> Decided { get; } = new();

    public int CallsFor(string instanceId) => _calls.GetValueOrDefault(instanceId);

    public int TotalCalls => _calls.Values.Sum();

    public async Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default)
    {
        var call = _calls.AddOrUpdate(observation.InstanceId, 1, (_, n) => n + 1);
        if (FailBefore(observation, call) is { } before) throw before;
        var result = await inner.HandleAsync(observation, ct);
        Decided.Enqueue((observation, result));
        if (FailAfter(observation, call) is { } after) throw after;
        return result;
    }

    public Task<long> RecordReconcileAsync(SourceReconciled summary, CancellationToken ct = default) =>
        FailSourceEvent() is { } failure ? Task.FromException<long>(failure) : inner.RecordReconcileAsync(summary, ct);

    public Task<long> RecordSourceFactAsync(SourceFactRecorded fact, EventMetadata metadata, CancellationToken ct = default) =>
        FailSourceEvent() is { } failure ? Task.FromException<long>(failure) : inner.RecordSourceFactAsync(fact, metadata, ct);

    public Task<ObservationResult> DefineEnvironmentAsync(string name, string fallback, EventMetadata metadata, CancellationToken ct = default) =>
        inner.DefineEnvironmentAsync(name, fallback, metadata, ct);
}
