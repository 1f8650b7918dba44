using System.Collections.Concurrent;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Instances;

/// <summary>
/// The command side: loads an instance's stream, decides, appends with the expected version, and on a conflict
/// reloads and decides again. States are cached per instance and refreshed from the stream on a conflict.
/// </summary>
public sealed partial class InstanceRegistry(IEventStore store, TimeProvider clock, ILogger<InstanceRegistry> logger)
    : IObservationHandler
{
    private const int MaxAttempts = 10;
    private readonly ConcurrentDictionary<string, InstanceState> _cache = new(StringComparer.Ordinal);

    public async Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (InstanceValidation.ExplainId(observation.InstanceId) is { } idError)
            throw new ArgumentException(idError, nameof(observation));

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InstanceId"] = observation.InstanceId });
        for (var attempt = 1; ; attempt++)
        {
            var state = _cache.TryGetValue(observation.InstanceId, out var cached)
                ? cached
                : await LoadAsync(observation.InstanceId, ct).ConfigureAwait(false);
            var decision = InstanceDecider.Decide(state, observation);
            if (decision.IsRejected) Log.Rejected(logger, observation.InstanceId, decision.Error!);
            if (decision.Events.IsEmpty) return new ObservationResult(0, 0, decision.Error);

            var metadata = observation.Metadata;
            var data = decision.Events.Select(e => new EventData(e, metadata)).ToArray();
            try
            {
                var result = await store.AppendAsync(StreamName.ForInstance(state.InstanceId), ExpectedVersion.After(state.Version), data, ct)
                    .ConfigureAwait(false);
                var now = clock.GetUtcNow();
                var next = decision.Events.Aggregate(state, (s, e) => s.Apply(e, result.Position, now));
                _cache[state.InstanceId] = next;
                return new ObservationResult(result.Position, data.Length, decision.Error);
            }
            catch (WrongExpectedVersionException) when (attempt < MaxAttempts)
            {
                Log.Conflict(logger, state.InstanceId, attempt);
                _cache.TryRemove(state.InstanceId, out _);
            }
        }
    }

    /// <summary>Folds the instance's stream from the store.</summary>
    public async Task<InstanceState> LoadAsync(string instanceId, CancellationToken ct = default)
    {
        var state = InstanceState.Empty(instanceId);
        await foreach (var e in store.ReadStreamAsync(StreamName.ForInstance(instanceId), 0, ct).ConfigureAwait(false))
        {
            if (e.Event is IInstanceEvent ie) state = state.Apply(ie, e.Position, e.RecordedAt);
        }
        return state;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Observation for instance '{InstanceId}' rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string instanceId, string reason);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Concurrent write to instance '{InstanceId}', attempt {Attempt}; reloading")]
        public static partial void Conflict(ILogger logger, string instanceId, int attempt);
    }
}
