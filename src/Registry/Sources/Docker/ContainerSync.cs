using System.Collections.Immutable;
using Docker.DotNet;
using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Turns what the engine says about one container into observations: inspect → <see cref="ContainerMapper.Map"/> →
/// registry, then its paused and health state as <see cref="CheckReported"/>; and deregisters all of a container's
/// instances (<c>docker:{id}</c> and <c>docker:{id}:{port}</c>) when it is gone. Remembers what it last inspected
/// (<see cref="Known"/>) so that a periodic reconcile can skip containers that did not change. Not thread-safe:
/// the source calls it from one loop.
/// </summary>
internal sealed partial class ContainerSync(
    IObservationHandler handler,
    IInstanceView view,
    DockerHost host,
    TimeProvider clock,
    ILogger logger)
{
    public const string Source = "docker";
    private const string IdPrefix = Source + ":";

    private readonly Dictionary<string, KnownContainer> _known = new(StringComparer.Ordinal);

    public DockerHost Host => host;

    public IReadOnlyDictionary<string, KnownContainer> Known => _known;

    /// <summary>
    /// Inspects the container and registers what it runs. A container that no longer runs is left alone unless
    /// <paramref name="evenIfExited"/> (a start event: its die is already queued behind it). <paramref name="metadata"/>
    /// is the event's; null for a reconcile.
    /// </summary>
    public async Task<SyncOutcome> SyncAsync(
        IDockerClient client, string containerId, EventMetadata? metadata, bool evenIfExited, CancellationToken ct)
    {
        var container = await InspectAsync(client, containerId, ct).ConfigureAwait(false);
        if (container is null || (container.State?.Running != true && !evenIfExited)) return SyncOutcome.NotRunning;
        metadata ??= new EventMetadata(clock.GetUtcNow(), null, $"reconcile:{containerId}", ContainerPayload.Of(container));
        if (metadata.RawPayload is null) metadata = metadata with { RawPayload = ContainerPayload.Of(container) };

        var accepted = ImmutableArray.CreateBuilder<InstanceSeen>();
        int registered = 0, rejected = 0;
        foreach (var observation in Map(container, metadata))
        {
            ObservationResult result;
            try
            {
                result = await handler.HandleAsync(observation, ct).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // An observation the registry cannot even name (a bad instance id): one container must not stop the source.
                rejected++;
                Log.Unusable(logger, containerId, ex.Message);
                continue;
            }
            if (result.IsRejected)
            {
                rejected++;
                if (result.EventCount > 0) Log.Rejected(logger, containerId, observation.InstanceId, result.Error!);
                continue;
            }
            if (observation is not InstanceSeen seen) continue;
            accepted.Add(seen);
            if (result.EventCount > 0)
            {
                registered++;
                Log.Registered(logger, containerId, seen.Service, seen.InstanceId, seen.Address, seen.Port);
            }
        }

        // A container whose services per port changed (an update, a new mapping) leaves instances it no longer carries.
        if (_known.TryGetValue(containerId, out var before))
        {
            foreach (var stale in before.Instances.Where(b => !accepted.Any(a => a.InstanceId == b.InstanceId)))
                await DeregisterAsync(containerId, stale.InstanceId, "changed", metadata, ct).ConfigureAwait(false);
        }

        var known = new KnownContainer(containerId, ContainerFingerprint.Of(container), accepted.ToImmutable(), rejected);
        _known[containerId] = known;
        foreach (var report in ContainerChecks.Current(container))
            await ReportAsync(containerId, report, metadata, ct).ConfigureAwait(false);
        return new SyncOutcome(container.State?.Running == true, registered, rejected);
    }

    // The mapper is pure, but a container it cannot make sense of must become a rejection, not stop the source.
    private IReadOnlyList<Observation> Map(ContainerInspectResponse container, EventMetadata metadata)
    {
        try
        {
            return [.. ContainerMapper.Map(container, host).Select(o => o with { Metadata = metadata })];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Unusable(logger, container.ID, ex.Message);
            return [new InstanceInvalid(IdPrefix + container.ID, Source, $"the container could not be mapped: {ex.Message}") { Metadata = metadata }];
        }
    }

    /// <summary>Deregisters every instance of the container; returns how many were registered.</summary>
    public async Task<int> GoneAsync(string containerId, string reason, EventMetadata metadata, CancellationToken ct)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        if (_known.Remove(containerId, out var known))
            ids.UnionWith(known.Instances.Select(i => i.InstanceId));
        ids.UnionWith(RegisteredInstances(containerId).Select(i => i.InstanceId));

        var deregistered = 0;
        foreach (var id in ids)
            if (await DeregisterAsync(containerId, id, reason, metadata, ct).ConfigureAwait(false)) deregistered++;
        return deregistered;
    }

    /// <summary>Reports a check's status to every instance of the container that declares the check.</summary>
    public async Task ReportAsync(string containerId, ContainerChecks.Report report, EventMetadata metadata, CancellationToken ct)
    {
        var instances = _known.TryGetValue(containerId, out var known)
            ? known.Instances.Where(i => i.Checks.Any(c => c.CheckId == report.CheckId)).Select(i => i.InstanceId)
            : RegisteredInstances(containerId).Where(i => i.Checks.ContainsKey(report.CheckId)).Select(i => i.InstanceId);
        foreach (var id in instances.ToArray())
        {
            var observation = new CheckReported(id, Source, report.CheckId, report.Status, report.Output) { Metadata = metadata };
            var result = await handler.HandleAsync(observation, ct).ConfigureAwait(false);
            if (result.EventCount > 0) Log.CheckChanged(logger, containerId, id, report.CheckId, report.Status, report.Output);
        }
    }

    /// <summary>Forgets a container that is gone without instances (ignored or rejected ones).</summary>
    public void Forget(string containerId) => _known.Remove(containerId);

    /// <summary>The containers of this node that the registry holds instances for.</summary>
    public IEnumerable<string> RegisteredContainers() =>
        RegisteredOnThisNode().Select(i => ContainerIdOf(i.InstanceId)).Distinct(StringComparer.Ordinal);

    /// <summary>Whether every instance accepted for <paramref name="known"/> is in the registry.</summary>
    public bool IsRegistered(KnownContainer known, IReadOnlySet<string> registeredIds) =>
        known.Instances.All(i => registeredIds.Contains(i.InstanceId));

    public IReadOnlySet<string> RegisteredIds() => RegisteredOnThisNode().Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);

    /// <summary>Inspects a container; null when the engine no longer has it.</summary>
    public static async Task<ContainerInspectResponse?> InspectAsync(IDockerClient client, string containerId, CancellationToken ct)
    {
        try
        {
            return await client.Containers.InspectContainerAsync(containerId, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary><c>docker:{id}</c> and <c>docker:{id}:{port}</c> → the container id.</summary>
    public static string ContainerIdOf(string instanceId)
    {
        var rest = instanceId.StartsWith(IdPrefix, StringComparison.Ordinal) ? instanceId[IdPrefix.Length..] : instanceId;
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? rest : rest[..colon];
    }

    private async Task<bool> DeregisterAsync(string containerId, string instanceId, string reason, EventMetadata metadata, CancellationToken ct)
    {
        var result = await handler.HandleAsync(new InstanceGone(instanceId, Source, reason) { Metadata = metadata }, ct).ConfigureAwait(false);
        if (result.EventCount == 0) return false;
        Log.Deregistered(logger, containerId, instanceId, reason);
        return true;
    }

    private IEnumerable<InstanceState> RegisteredInstances(string containerId) =>
        RegisteredOnThisNode().Where(i => ContainerIdOf(i.InstanceId) == containerId);

    private IEnumerable<InstanceState> RegisteredOnThisNode() =>
        view.Snapshot().Instances.Where(i =>
            i.Registration is { Source: Source } r && r.Node == host.Node && i.InstanceId.StartsWith(IdPrefix, StringComparison.Ordinal));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1320, Level = LogLevel.Information,
            Message = "Container '{ContainerId}': service '{Service}' registered as '{InstanceId}' at {Address}:{Port}")]
        public static partial void Registered(ILogger logger, string containerId, string service, string instanceId, string address, int port);

        [LoggerMessage(EventId = 1321, Level = LogLevel.Information, Message = "Container '{ContainerId}': instance '{InstanceId}' deregistered ({Reason})")]
        public static partial void Deregistered(ILogger logger, string containerId, string instanceId, string reason);

        [LoggerMessage(EventId = 1322, Level = LogLevel.Warning, Message = "Container '{ContainerId}': instance '{InstanceId}' rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string containerId, string instanceId, string reason);

        [LoggerMessage(EventId = 1324, Level = LogLevel.Error, Message = "Container '{ContainerId}' could not be turned into observations: {Reason}")]
        public static partial void Unusable(ILogger logger, string containerId, string reason);

        [LoggerMessage(EventId = 1323, Level = LogLevel.Information,
            Message = "Container '{ContainerId}': instance '{InstanceId}' check '{CheckId}' is {Status} {Output}")]
        public static partial void CheckChanged(ILogger logger, string containerId, string instanceId, string checkId, HealthStatus status, string output);
    }
}
