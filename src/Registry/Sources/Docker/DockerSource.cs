using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// The Docker source: follows one engine's container events into the registry. Per connection it negotiates the
/// API version, subscribes to <c>GET /events</c> first and only then lists and reconciles (a list taken before the
/// subscription would lose what happens in between: registrator's bug), then handles events one at a time, with a
/// periodic reconcile in the same loop. Events are read off the socket into an unbounded queue at once (the engine
/// drops a listener that falls 100 ms behind). A lost or unreachable engine is retried with capped exponential
/// backoff and the stream resumes with <c>since=</c> the last event handled; the rest of Mesh never waits for it.
/// </summary>
internal sealed partial class DockerSource : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);

    private readonly DockerSourceOptions _options;
    private readonly DockerSourceStatus _status;
    private readonly TimeProvider _clock;
    private readonly ILogger<DockerSource> _logger;
    private readonly ContainerSync _sync;
    private readonly ContainerReconciler _reconciler;
    private readonly HashSet<string> _oomKilled = new(StringComparer.Ordinal);
    // Containers Docker was asked to signal (docker kill, docker stop): their SIGKILL exit is no OOM to wait for.
    private readonly HashSet<string> _signalled = new(StringComparer.Ordinal);

    // Where the next subscription starts: the last event handled, or where the last subscription started when none
    // came since (so that what happens while disconnected is replayed even on a quiet host).
    private string? _resumeFrom;

    public DockerSource(
        IOptions<DockerSourceOptions> options,
        DockerHost host,
        IObservationHandler handler,
        IInstanceView view,
        IEventReader log,
        DockerSourceStatus status,
        TimeProvider clock,
        ILogger<DockerSource> logger)
    {
        _options = options.Value;
        _status = status;
        _clock = clock;
        _logger = logger;
        _sync = new ContainerSync(handler, view, host, clock, logger);
        _reconciler = new ContainerReconciler(_sync, handler, view, log, clock, logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = FirstBackoff;
        long? outageStarted = null;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(onConnected: () =>
                {
                    if (outageStarted is { } started)
                        Log.Recovered(_logger, _options.Endpoint!, _clock.GetElapsedTime(started), failures);
                    outageStarted = null;
                    failures = 0;
                    backoff = FirstBackoff;
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break; // shutting down: whatever the cancelled session threw is no news
            }
            catch (Exception ex)
            {
                var reason = Describe(ex);
                var wasConnected = _status.Current.Connected;
                _status.Update(s => s with { Connected = false, LastError = reason, Failures = s.Failures + 1 });
                failures++;
                if (outageStarted is null)
                {
                    outageStarted = _clock.GetTimestamp();
                    if (wasConnected) Log.Lost(_logger, _options.Endpoint!, reason, _options.MaxBackoff);
                    else Log.Unreachable(_logger, _options.Endpoint!, reason, _options.MaxBackoff);
                }
                else
                {
                    Log.StillUnreachable(_logger, _options.Endpoint!, failures, reason, backoff);
                }
            }

            try
            {
                await Task.Delay(backoff, _clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
        _status.Update(s => s with { Connected = false });
    }

    /// <summary>One connection: returns or throws when the engine is lost.</summary>
    private async Task RunSessionAsync(Action onConnected, CancellationToken ct)
    {
        VersionResponse engine;
        using (var probe = DockerClients.Create(_options, apiVersion: null))
            engine = await probe.System.GetVersionAsync(ct).ConfigureAwait(false);
        if (!DockerApiVersion.TryNegotiate(engine.APIVersion, out var api, out var error))
            throw new NotSupportedException(error);

        using var client = DockerClients.Create(_options, api);
        // First subscription: from the engine's own clock now, so that whatever the engine does from here on is
        // replayed to us even if the list below reaches it before the subscription does. Later ones: from the last
        // event handled, so a short disconnect loses nothing (the engine keeps its last 256 events).
        var since = _resumeFrom
            ?? ContainerEvent.SinceOf((await client.System.GetSystemInfoAsync(ct).ConfigureAwait(false)).SystemTime)
            ?? ContainerEvent.SinceOf((_clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);
        _resumeFrom = since;

        var queue = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = ReadEventsAsync(client, since, queue.Writer, session.Token);
        try
        {
            Task Drain(CancellationToken token) => DrainAsync(client, queue.Reader, token);
            await ReconcileAsync(client, ContainerReconciler.Connect, Drain, ct).ConfigureAwait(false);
            // Connected only once a reconcile went through: an engine that answers /version but fails the rest is
            // still an outage, retried with growing backoff rather than logged as a new loss every 250 ms.
            _status.Update(s => s with { Connected = true, EngineVersion = engine.Version, ApiVersion = api.ToString(), LastError = null });
            Log.Connected(_logger, _options.Endpoint!, engine.Version ?? "?", api.ToString(), since);
            onConnected();

            using var timer = new PeriodicTimer(_options.ReconcileInterval, _clock);
            var tick = timer.WaitForNextTickAsync(ct).AsTask();
            var next = queue.Reader.WaitToReadAsync(ct).AsTask();
            while (true)
            {
                var woke = await Task.WhenAny(next, tick).ConfigureAwait(false);
                if (woke == tick)
                {
                    await tick.ConfigureAwait(false);
                    await ReconcileAsync(client, ContainerReconciler.Periodic, Drain, ct).ConfigureAwait(false);
                    tick = timer.WaitForNextTickAsync(ct).AsTask();
                    continue;
                }
                // False or an exception: the stream ended, and every event it delivered has been handled.
                if (!await next.ConfigureAwait(false)) throw new IOException("the engine closed the event stream");
                await Drain(ct).ConfigureAwait(false);
                next = queue.Reader.WaitToReadAsync(ct).AsTask();
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReconcileAsync(IDockerClient client, string trigger, Func<CancellationToken, Task> drain, CancellationToken ct)
    {
        var summary = await _reconciler.ReconcileAsync(client, trigger, drain, ct).ConfigureAwait(false);
        _status.Update(s => s with
        {
            LastReconcile = summary,
            LastReconcileAt = _clock.GetUtcNow(),
            Reconciles = s.Reconciles + 1,
            FixedTotal = s.FixedTotal + summary.Fixed,
        });
    }

    // The library calls the progress on its reading loop: queue and return, never wait there.
    private static async Task ReadEventsAsync(IDockerClient client, string? since, ChannelWriter<Message> queue, CancellationToken ct)
    {
        Exception? end = null;
        try
        {
            var parameters = new ContainerEventsParameters
            {
                Since = since,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["type"] = new Dictionary<string, bool> { ["container"] = true } },
            };
            await client.System.MonitorEventsAsync(parameters, new QueueProgress(queue), ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            end = ex;
        }
        queue.TryComplete(end);
    }

    private async Task DrainAsync(IDockerClient client, ChannelReader<Message> queue, CancellationToken ct)
    {
        while (queue.TryRead(out var message))
        {
            var e = ContainerEvent.From(message);
            if (e.ContainerId.Length > 0) await HandleAsync(client, e, ct).ConfigureAwait(false);
            _resumeFrom = ContainerEvent.SinceOf(e.TimeNano);
            _status.Update(s => s with { LastEventAt = e.Time, Events = s.Events + 1 });
        }
    }

    // dockerd emits "oom" from a cgroup notification that can come after "die" on a loaded host; a SIGKILL exit (137)
    // is then checked against the container's own record, which dockerd marks when that notification arrives. A
    // container nobody signalled through Docker was killed by the kernel: its record is asked again a few times over a
    // short while (this holds up the node's events), since on a loaded host the mark too can trail the die.
    private static readonly TimeSpan[] OomRecheckDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)];

    private static async Task<bool> OomKilledAsync(IDockerClient client, string id, bool signalled, CancellationToken ct)
    {
        foreach (var delay in signalled ? OomRecheckDelays[..1] : OomRecheckDelays)
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, ct).ConfigureAwait(false);
            try
            {
                if ((await client.Containers.InspectContainerAsync(id, ct).ConfigureAwait(false)).State?.OOMKilled == true) return true;
            }
            catch (global::Docker.DotNet.DockerContainerNotFoundException)
            {
                return false;
            }
        }
        return false;
    }

    private async Task HandleAsync(IDockerClient client, ContainerEvent e, CancellationToken ct)
    {
        var id = e.ContainerId;
        switch (e.Kind)
        {
            case ContainerEventKind.Start:
                // Registered even when it has exited since: its die is queued behind, and the log keeps its story.
                _oomKilled.Remove(id);
                _signalled.Remove(id);
                await _sync.SyncAsync(client, id, e.Metadata, evenIfExited: true, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Changed:
                await _sync.SyncAsync(client, id, e.Metadata, evenIfExited: false, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Die:
                var signalled = _signalled.Remove(id);
                var reason = _oomKilled.Remove(id) || (e.ExitCode == "137" && await OomKilledAsync(client, id, signalled, ct).ConfigureAwait(false))
                    ? "oom"
                    : $"exit {e.ExitCode ?? "unknown"}";
                await _sync.GoneAsync(id, reason, e.Metadata, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Stop:
                await _sync.GoneAsync(id, "stopped", e.Metadata, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Destroy:
                _oomKilled.Remove(id);
                _signalled.Remove(id);
                await _sync.GoneAsync(id, "destroyed", e.Metadata, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Oom:
                _oomKilled.Add(id);
                break;
            case ContainerEventKind.Kill:
                _signalled.Add(id);
                Log.Signalled(_logger, id, e.Signal ?? "?");
                break;
            case ContainerEventKind.HealthStatus when ContainerChecks.FromHealth(e.Health) is { } health:
                await _sync.ReportAsync(id, health, e.Metadata, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Pause:
                await _sync.ReportAsync(id, ContainerChecks.Suspended, e.Metadata, ct).ConfigureAwait(false);
                break;
            case ContainerEventKind.Unpause:
                await _sync.ReportAsync(id, ContainerChecks.Running, e.Metadata, ct).ConfigureAwait(false);
                break;
        }
    }

    private static string Describe(Exception ex) => DescribeRaw(ex).Trim().TrimEnd('.');

    private static string DescribeRaw(Exception ex) => ex switch
    {
        DockerApiException api => $"the engine answered {(int)api.StatusCode}: {api.ResponseBody?.Trim()}",
        AggregateException { InnerExceptions.Count: 1 } aggregate => DescribeRaw(aggregate.InnerExceptions[0]),
        _ when ex.InnerException is { } inner && ex is HttpRequestException => $"{ex.Message} ({inner.Message})",
        _ => ex.Message,
    };

    private sealed class QueueProgress(ChannelWriter<Message> queue) : IProgress<Message>
    {
        public void Report(Message value) => queue.TryWrite(value);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information,
            Message = "Following the Docker engine at {Endpoint}: Docker {EngineVersion}, Engine API {ApiVersion}, events since {Since}")]
        public static partial void Connected(ILogger logger, string endpoint, string engineVersion, string apiVersion, string since);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Error,
            Message = "The Docker engine at {Endpoint} is unreachable: {Reason}. Mesh runs on without it and retries with backoff up to {MaxBackoff}; further failures are logged at Debug until it is back")]
        public static partial void Unreachable(ILogger logger, string endpoint, string reason, TimeSpan maxBackoff);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Warning,
            Message = "Lost the Docker engine at {Endpoint}: {Reason}. Reconnecting with backoff up to {MaxBackoff}; events resume where they stopped")]
        public static partial void Lost(ILogger logger, string endpoint, string reason, TimeSpan maxBackoff);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Debug,
            Message = "The Docker engine at {Endpoint} is still unreachable (attempt {Attempt}): {Reason}; next try in {Delay}")]
        public static partial void StillUnreachable(ILogger logger, string endpoint, int attempt, string reason, TimeSpan delay);

        [LoggerMessage(EventId = 1305, Level = LogLevel.Information,
            Message = "The Docker engine at {Endpoint} is back after {Outage} ({Failures} failed attempts)")]
        public static partial void Recovered(ILogger logger, string endpoint, TimeSpan outage, int failures);

        [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "Container '{ContainerId}' got signal {Signal}; a signal alone changes nothing")]
        public static partial void Signalled(ILogger logger, string containerId, string signal);
    }
}
