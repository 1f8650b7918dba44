using System.Collections.Concurrent;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Instances;

/// <summary>
/// The command side: brings an instance's state up to date with its stream, decides, and appends with the expected
/// version; on a conflict it catches up and decides again. Observations about one instance are handled one at a
/// time in this process, so they queue instead of conflicting with each other; conflicts come only from other
/// processes writing the same stream, and the retry settles them.
/// </summary>
public sealed partial class InstanceRegistry(IEventStore store, TimeProvider clock, ILogger<InstanceRegistry> logger)
    : IObservationHandler
{
    private const int MaxAttempts = 10;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(50);

    // What this process last read of each instance's stream. Never trusted as current: every decision first reads
    // the events after it, so another process's writes are always seen (a stale "nothing changed" would lose them).
    private readonly ConcurrentDictionary<string, InstanceState> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    public async Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (InstanceValidation.ExplainId(observation.InstanceId) is { } idError)
            throw new ArgumentException(idError, nameof(observation));

        var id = observation.InstanceId;
        var scopeState = new Dictionary<string, object> { ["InstanceId"] = id, ["Source"] = observation.Source };
        if (observation is InstanceSeen seen) scopeState["Service"] = seen.Service;
        using var scope = logger.BeginScope(scopeState);
        var gate = await EnterAsync(id, ct).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var state = await CatchUpAsync(_cache.TryGetValue(id, out var cached) ? cached : InstanceState.Empty(id), ct)
                    .ConfigureAwait(false);
                _cache[id] = state;
                var decision = InstanceDecider.Decide(state, observation);
                if (decision.IsRejected) Log.Rejected(logger, id, decision.Error!);
                if (decision.Events.IsEmpty) return new ObservationResult(0, 0, decision.Error);

                var data = decision.Events.Select(e => new EventData(e, observation.Metadata)).ToArray();
                try
                {
                    // The cache is left at what was read: the next observation reads these events back with the
                    // positions and times the log gave them.
                    var result = await store.AppendAsync(StreamName.ForInstance(id), ExpectedVersion.After(state.Version), data, ct)
                        .ConfigureAwait(false);
                    return new ObservationResult(result.Position, data.Length, decision.Error);
                }
                catch (WrongExpectedVersionException) when (attempt < MaxAttempts)
                {
                    Log.Conflict(logger, id, attempt);
                    // Another process won the race; let it get ahead before reading what it wrote.
                    if (attempt > 1) await Task.Delay(Backoff(attempt), clock, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Exit(id, gate);
        }
    }

    public Task<long> RecordReconcileAsync(SourceReconciled summary, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return AppendToSourceAsync(summary.Source, summary.Node, new EventData(summary), ct);
    }

    public Task<long> RecordSourceFactAsync(SourceFactRecorded fact, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fact);
        return AppendToSourceAsync(fact.Source, fact.Node, new EventData(fact, metadata), ct);
    }

    // A source's own stream only ever grows; nothing decides over it, so any version will do.
    private async Task<long> AppendToSourceAsync(string source, string node, EventData data, CancellationToken ct) =>
        (await store.AppendAsync(StreamName.ForSource(source, node), ExpectedVersion.Any, [data], ct).ConfigureAwait(false)).Position;

    public async Task<ObservationResult> DefineEnvironmentAsync(string name, string fallback, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var errors = EnvironmentValidation.Validate(name, fallback);
        if (errors.Count > 0) return new ObservationResult(0, 0, string.Join("; ", errors));

        var stream = StreamName.ForEnvironment(name);
        for (var attempt = 1; ; attempt++)
        {
            // The stream is one event per change of definition, so reading it whole stays cheap.
            RecordedEvent? last = null;
            await foreach (var e in store.ReadStreamAsync(stream, 0, ct).ConfigureAwait(false)) last = e;
            if (last?.Event is EnvironmentDefined current && current.Fallback == fallback) return new ObservationResult(0, 0, null);

            try
            {
                var result = await store.AppendAsync(
                        stream, ExpectedVersion.After(last?.StreamVersion ?? -1), [new EventData(new EnvironmentDefined(name, fallback), metadata)], ct)
                    .ConfigureAwait(false);
                Log.EnvironmentDefined(logger, name, fallback);
                return new ObservationResult(result.Position, 1, null);
            }
            catch (WrongExpectedVersionException) when (attempt < MaxAttempts)
            {
                // Someone else defined it meanwhile: read their definition, which may already be this one.
                Log.EnvironmentConflict(logger, name, attempt);
            }
        }
    }

    /// <summary>Folds the instance's stream from the store.</summary>
    public Task<InstanceState> LoadAsync(string instanceId, CancellationToken ct = default) =>
        CatchUpAsync(InstanceState.Empty(instanceId), ct);

    private async Task<InstanceState> CatchUpAsync(InstanceState state, CancellationToken ct)
    {
        await foreach (var e in store.ReadStreamAsync(StreamName.ForInstance(state.InstanceId), state.Version + 1, ct).ConfigureAwait(false))
            state = e.Event is IInstanceEvent ie ? state.Apply(ie, e.Position, e.RecordedAt) : state with { Version = e.StreamVersion };
        return state;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(1 << attempt, MaxBackoff.TotalMilliseconds));

    private async Task<Gate> EnterAsync(string id, CancellationToken ct)
    {
        Gate? gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(id, out gate)) _gates[id] = gate = new Gate();
            gate.Users++;
        }
        try
        {
            await gate.Semaphore.WaitAsync(ct).ConfigureAwait(false);
            return gate;
        }
        catch
        {
            Leave(id, gate);
            throw;
        }
    }

    private void Exit(string id, Gate gate)
    {
        gate.Semaphore.Release();
        Leave(id, gate);
    }

    private void Leave(string id, Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0) _gates.Remove(id);
        }
    }

    /// <summary>One instance's turn; dropped when nobody holds or waits for it, so the map stays as small as the work in flight.</summary>
    private sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);
        public int Users { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Observation for instance '{InstanceId}' rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string instanceId, string reason);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Concurrent write to instance '{InstanceId}', attempt {Attempt}; reloading")]
        public static partial void Conflict(ILogger logger, string instanceId, int attempt);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Environment '{Environment}' defined, falling back to '{Fallback}'")]
        public static partial void EnvironmentDefined(ILogger logger, string environment, string fallback);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Concurrent definition of environment '{Environment}', attempt {Attempt}; reloading")]
        public static partial void EnvironmentConflict(ILogger logger, string environment, int attempt);
    }
}
