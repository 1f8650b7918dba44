using Docker.DotNet;
using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Compares the running containers (<c>GET /containers/json</c>) with what the registry holds for this node and
/// fixes the difference: registers what runs but is unknown, deregisters (reason <c>reconcile</c>) what the registry
/// holds but no longer runs. On a connect every running container is inspected; a periodic pass inspects only those
/// that are new or whose name, paused state or health moved. Every discrepancy is confirmed by an inspect before it
/// is acted on, and queued events are handled first, so an event that is merely late is not counted as missed.
/// </summary>
internal sealed partial class ContainerReconciler(
    ContainerSync sync,
    IObservationHandler handler,
    IInstanceView view,
    IEventReader log,
    TimeProvider clock,
    ILogger logger)
{
    public const string Connect = "connect";
    public const string Periodic = "periodic";
    public const string Reason = "reconcile";

    private static readonly TimeSpan ViewWait = TimeSpan.FromSeconds(10);

    /// <param name="client">The connected engine.</param>
    /// <param name="trigger"><see cref="Connect"/> or <see cref="Periodic"/>.</param>
    /// <param name="drain">Handles the events received so far.</param>
    /// <param name="ct">Stops the pass.</param>
    public async Task<SourceReconciled> ReconcileAsync(
        IDockerClient client, string trigger, Func<CancellationToken, Task> drain, CancellationToken ct)
    {
        await drain(ct).ConfigureAwait(false);
        await CatchUpViewAsync(ct).ConfigureAwait(false);
        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters(), ct).ConfigureAwait(false);
        var running = listed.Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        var registeredIds = sync.RegisteredIds();

        int registered = 0, deregistered = 0, rejected = 0;
        foreach (var container in listed)
        {
            if (trigger != Connect
                && sync.Known.TryGetValue(container.ID, out var known)
                && known.Fingerprint == ContainerFingerprint.Of(container)
                && sync.IsRegistered(known, registeredIds))
            {
                rejected += known.Rejected;
                continue;
            }
            var outcome = await sync.SyncAsync(client, container.ID, null, evenIfExited: false, ct).ConfigureAwait(false);
            registered += outcome.Registered;
            rejected += outcome.Rejected;
        }

        // Events that arrived during the pass are newer than the list: apply them before judging what is gone.
        await drain(ct).ConfigureAwait(false);
        await CatchUpViewAsync(ct).ConfigureAwait(false);
        var suspects = sync.RegisteredContainers().Concat(sync.Known.Keys)
            .Where(id => !running.Contains(id))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        foreach (var containerId in suspects)
        {
            // Started after the list was taken: its start event registers it.
            var current = await ContainerSync.InspectAsync(client, containerId, ct).ConfigureAwait(false);
            if (current?.State?.Running == true) continue;
            var metadata = new EventMetadata(clock.GetUtcNow(), null, $"reconcile:{containerId}",
                current is null ? null : ContainerPayload.Of(current));
            deregistered += await sync.GoneAsync(containerId, Reason, metadata, ct).ConfigureAwait(false);
            sync.Forget(containerId);
        }

        var summary = new SourceReconciled(ContainerSync.Source, sync.Host.Node, trigger, listed.Count, registered, deregistered, rejected);
        // Every (re)connect is recorded; a periodic pass only when it had to fix something (events were missed),
        // so that a quiet host does not write a summary into the log every minute.
        if (trigger == Connect || summary.Fixed > 0)
            await handler.RecordReconcileAsync(summary, ct).ConfigureAwait(false);
        if (summary.Fixed > 0 || trigger == Connect)
            Log.Reconciled(logger, trigger, summary.Node, summary.Running, summary.Fixed, summary.Registered, summary.Deregistered, summary.Rejected);
        else
            Log.Unchanged(logger, trigger, summary.Node, summary.Running, summary.Rejected);
        return summary;
    }

    // The view trails the log by the projection; judge "registered" only once it has caught up with the log as it
    // is now (what this source appended a moment ago included).
    private async Task CatchUpViewAsync(CancellationToken ct)
    {
        var head = await log.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        var began = clock.GetTimestamp();
        var (position, _) = view.Snapshot();
        while (position < head)
        {
            var left = ViewWait - clock.GetElapsedTime(began);
            if (left <= TimeSpan.Zero)
            {
                Log.ViewBehind(logger, position, head);
                return;
            }
            await view.WaitForChangeAsync(position, left, ct).ConfigureAwait(false);
            (position, _) = view.Snapshot();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1330, Level = LogLevel.Information,
            Message = "Docker reconcile ({Trigger}) on node '{Node}': {Running} running, fixed {Fixed} (registered {Registered}, deregistered {Deregistered}), {Rejected} rejected")]
        public static partial void Reconciled(ILogger logger, string trigger, string node, int running, int @fixed, int registered, int deregistered, int rejected);

        [LoggerMessage(EventId = 1331, Level = LogLevel.Debug,
            Message = "Docker reconcile ({Trigger}) on node '{Node}': {Running} running, nothing to fix, {Rejected} rejected")]
        public static partial void Unchanged(ILogger logger, string trigger, string node, int running, int rejected);

        [LoggerMessage(EventId = 1332, Level = LogLevel.Debug,
            Message = "Docker reconcile: the registry view is at {Position}, the log at {Head}; comparing with what the view has")]
        public static partial void ViewBehind(ILogger logger, long position, long head);
    }
}
