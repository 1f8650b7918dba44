using System.Net.Http.Headers;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Sources.Marathon;

/// <summary>
/// The Marathon source: follows the leader's event bus (<c>GET /v2/events</c>, SSE) into the registry. A standby
/// answers the stream with a redirect to the leader (followed); an unreachable master or a lost stream moves on to
/// the next URL with capped exponential backoff. Marathon's stream has no resume, so every (re)connect first
/// reconciles from the leader's <c>GET /v2/apps?embed=apps.tasks</c>; a periodic reconcile runs in the same loop.
/// Events and reconciles are handled one at a time.
/// </summary>
internal sealed partial class MarathonSource : BackgroundService
{
    public const string Connect = "connect";
    public const string Periodic = "periodic";
    public const string ReconcileReason = "reconcile";

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ViewWait = TimeSpan.FromSeconds(10);

    private static readonly string[] EventTypes =
    [
        "status_update_event", "instance_changed_event", "health_status_changed_event",
        "instance_health_changed_event", "app_terminated_event",
    ];

    private readonly MarathonSourceOptions _options;
    private readonly IObservationHandler _handler;
    private readonly IInstanceView _view;
    private readonly IEventReader _log;
    private readonly MarathonSourceStatus _status;
    private readonly TimeProvider _clock;
    private readonly ILogger<MarathonSource> _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, MarathonApp> _apps = new(StringComparer.Ordinal);

    public MarathonSource(
        IOptions<MarathonSourceOptions> options,
        IObservationHandler handler,
        IInstanceView view,
        IEventReader log,
        MarathonSourceStatus status,
        TimeProvider clock,
        ILogger<MarathonSource> logger)
    {
        _options = options.Value;
        _handler = handler;
        _view = view;
        _log = log;
        _status = status;
        _clock = clock;
        _logger = logger;
        // Redirects are followed (a standby answers /v2/events with 302/307 to the leader, query kept); the stream
        // never ends by itself, so no overall timeout.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 5 })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = FirstBackoff;
        var index = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var url = _options.Urls[index % _options.Urls.Count].TrimEnd('/');
            try
            {
                var connected = await FollowAsync(url, stoppingToken).ConfigureAwait(false);
                if (connected) backoff = FirstBackoff;
                _status.Update(s => s with { Connected = false, LastError = "the event stream ended", Failures = s.Failures + 1 });
                Log.StreamEnded(_logger, url);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
            {
                _status.Update(s => s with { Connected = false, LastError = $"{url}: {e.Message}", Failures = s.Failures + 1 });
                Log.ConnectionFailed(_logger, url, e.Message);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything else (the store refusing a write, ...) must not end the source: start over.
                _status.Update(s => s with { Connected = false, LastError = $"{url}: {e.Message}", Failures = s.Failures + 1 });
                Log.Failed(_logger, url, e);
            }
            index++;
            try
            {
                await Task.Delay(backoff, _clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    // One connection: subscribe first, then reconcile (what changes in between arrives as events, queued in the
    // socket), then handle events until the stream ends. True once the stream was open.
    private async Task<bool> FollowAsync(string url, CancellationToken ct)
    {
        var query = string.Join('&', EventTypes.Select(t => "event_type=" + t));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/v2/events?{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var final = response.RequestMessage?.RequestUri ?? new Uri(url);
        var leader = final.GetLeftPart(UriPartial.Authority);
        _status.Update(s => s with { Connected = true, Leader = leader, LastError = null });
        Log.Connected(_logger, url, leader);

        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        using var periodic = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await ReconcileAsync(leader, Connect, ct).ConfigureAwait(false);
        var reconciling = PeriodicReconcileAsync(leader, periodic.Token);
        try
        {
            var parser = new MarathonSseParser();
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (parser.Feed(line) is { } frame) await HandleFrameAsync(leader, frame, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await periodic.CancelAsync().ConfigureAwait(false);
            try { await reconciling.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        return true;
    }

    private async Task PeriodicReconcileAsync(string leader, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.ReconcileInterval, _clock, ct).ConfigureAwait(false);
            try
            {
                await ReconcileAsync(leader, Periodic, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Log.ReconcileFailed(_logger, leader, e.Message);
            }
        }
    }

    internal async Task HandleFrameAsync(string leader, SseFrame frame, CancellationToken ct)
    {
        var mapped = MarathonEvents.Parse(frame.EventName, frame.Data);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            switch (mapped)
            {
                case MarathonMalformed malformed:
                    _status.Update(s => s with { Malformed = s.Malformed + 1 });
                    Log.Malformed(_logger, malformed.EventType, malformed.Reason);
                    return;
                case MarathonIgnored ignored:
                    _status.Update(s => s with { Ignored = s.Ignored + 1 });
                    Log.Ignored(_logger, ignored.EventType, ignored.Why);
                    if (ignored.Forensic is { } metadata)
                        await _handler.RecordSourceFactAsync(
                            new SourceFactRecorded(MarathonMapper.Source, _options.Node, ignored.EventType, frame.Data), metadata, ct).ConfigureAwait(false);
                    return;
                case MarathonObservations observations:
                    foreach (var observation in observations.Observations.SelectMany(ResolveInstance))
                        await _handler.HandleAsync(observation, ct).ConfigureAwait(false);
                    break;
                case MarathonAppTerminated terminated:
                    await CatchUpViewAsync(ct).ConfigureAwait(false);
                    foreach (var instance in Registered().Where(i => i.Registration!.Meta.GetValueOrDefault(MarathonMapper.AppIdMeta) == terminated.AppId))
                    {
                        await _handler.HandleAsync(new InstanceGone(instance.InstanceId, MarathonMapper.Source, terminated.EventType)
                        {
                            Metadata = new EventMetadata(_clock.GetUtcNow(), null, $"{terminated.AppId}:{terminated.EventType}", frame.Data),
                        }, ct).ConfigureAwait(false);
                    }
                    break;
                case MarathonTaskRunning running:
                    await RegisterRunningAsync(leader, running, frame.Data, ct).ConfigureAwait(false);
                    break;
            }
            _status.Update(s => s with { Events = s.Events + 1 });
        }
        finally
        {
            _gate.Release();
        }
    }

    // The event carries the task, not its app's labels and health checks: the app comes fresh from the leader
    // (falling back to the last listing), and its health results with it.
    private async Task RegisterRunningAsync(string leader, MarathonTaskRunning running, string payload, CancellationToken ct)
    {
        var app = await FetchAppAsync(leader, running.AppId, ct).ConfigureAwait(false) ?? _apps.GetValueOrDefault(running.AppId);
        if (app is null)
        {
            Log.UnknownApp(_logger, running.AppId, running.TaskId);
            return;
        }
        var listed = app.Tasks?.FirstOrDefault(t => t.Id == running.TaskId);
        var task = new MarathonTask(running.TaskId, running.AppId, running.Host ?? listed?.Host,
            running.Ports.Count > 0 ? running.Ports : listed?.Ports, running.IpAddresses.Count > 0 ? running.IpAddresses : listed?.IpAddresses,
            "TASK_RUNNING", listed?.HealthCheckResults);
        await RegisterAsync(app, task, payload, ct).ConfigureAwait(false);
    }

    // Registers the task's instances (one, or one per port); returns each one's id and result.
    private async Task<List<(string InstanceId, ObservationResult Result)>> RegisterAsync(MarathonApp app, MarathonTask task, string? payload, CancellationToken ct)
    {
        var results = new List<(string, ObservationResult)>();
        var metadata = new EventMetadata(_clock.GetUtcNow(), null, $"{task.Id}:TASK_RUNNING", payload);
        foreach (var observation in MarathonMapper.MapAll(app, task, _options.Node, _options.Group))
        {
            var result = await _handler.HandleAsync(observation with { Metadata = metadata }, ct).ConfigureAwait(false);
            results.Add((observation.InstanceId, result));
            if (observation is InstanceSeen { Checks.Length: > 0 } && task.HealthCheckResults is { Count: > 0 })
            {
                var status = MarathonMapper.HealthOf(task);
                await _handler.HandleAsync(new CheckReported(observation.InstanceId, MarathonMapper.Source, MarathonMapper.HealthCheckId,
                    status, status == HealthStatus.Passing ? MarathonEvents.HealthyOutput : MarathonEvents.UnhealthyOutput) { Metadata = metadata }, ct).ConfigureAwait(false);
            }
        }
        return results;
    }

    private async Task<MarathonApp?> FetchAppAsync(string leader, string appId, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync($"{leader}/v2/apps/{appId.TrimStart('/')}?embed=apps.tasks", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            var json = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return System.Text.Json.JsonSerializer.Deserialize<AppEnvelope>(json, MarathonAppList.Json)?.App;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException)
        {
            Log.AppFetchFailed(_logger, appId, e.Message);
            return null;
        }
    }

    private sealed record AppEnvelope(MarathonApp? App);

    /// <summary>Registers every running task of the leader's apps; deregisters this node's Marathon instances that are gone.</summary>
    internal async Task<SourceReconciled> ReconcileAsync(string leader, string trigger, CancellationToken ct)
    {
        var json = await _http.GetStringAsync($"{leader}/v2/apps?embed=apps.tasks", ct).ConfigureAwait(false);
        var apps = MarathonAppList.Parse(json).Apps ?? [];
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _apps = apps.ToDictionary(a => a.Id, StringComparer.Ordinal);
            await CatchUpViewAsync(ct).ConfigureAwait(false);
            var before = Registered().Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
            var running = new HashSet<string>(StringComparer.Ordinal);
            int registered = 0, deregistered = 0, rejected = 0;
            foreach (var app in apps)
            {
                foreach (var task in (app.Tasks ?? []).Where(MarathonMapper.IsRunning))
                {
                    foreach (var (id, result) in await RegisterAsync(app, task, null, ct).ConfigureAwait(false))
                    {
                        running.Add(id);
                        if (result.IsRejected) rejected++;
                        else if (!before.Contains(id) && result.EventCount > 0) registered++;
                    }
                }
            }
            foreach (var gone in before.Where(id => !running.Contains(id)))
            {
                var result = await _handler.HandleAsync(new InstanceGone(gone, MarathonMapper.Source, ReconcileReason)
                {
                    Metadata = new EventMetadata(_clock.GetUtcNow(), null, $"reconcile:{gone}"),
                }, ct).ConfigureAwait(false);
                if (result.EventCount > 0) deregistered++;
            }
            var summary = new SourceReconciled(MarathonMapper.Source, _options.Node, trigger, running.Count, registered, deregistered, rejected);
            if (trigger == Connect || summary.Fixed > 0) await _handler.RecordReconcileAsync(summary, ct).ConfigureAwait(false);
            _status.Update(s => s with
            {
                LastReconcile = summary, LastReconcileAt = _clock.GetUtcNow(), Reconciles = s.Reconciles + 1, FixedTotal = s.FixedTotal + summary.Fixed,
            });
            Log.Reconciled(_logger, trigger, leader, summary.Running, summary.Registered, summary.Deregistered, summary.Rejected);
            return summary;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Newer Marathons name instances `app.instance-{uuid}` and their tasks `app.instance-{uuid}._app.{n}`, and a
    // task with one service per port is registered as `{task}:{port index}`: an event about the instance or task
    // reaches every registered instance it stands for.
    private IEnumerable<Observation> ResolveInstance(Observation observation)
    {
        var registered = Registered().ToArray();
        if (registered.Any(i => i.InstanceId == observation.InstanceId)) return [observation];
        var matches = registered
            .Where(i => i.InstanceId.StartsWith(observation.InstanceId + ".", StringComparison.Ordinal)
                || i.InstanceId.StartsWith(observation.InstanceId + ":", StringComparison.Ordinal))
            .Select(i => observation with { InstanceId = i.InstanceId })
            .ToArray();
        return matches.Length > 0 ? matches : [observation];
    }

    private IEnumerable<InstanceState> Registered() =>
        _view.Snapshot().Instances.Where(i => i.Registration is { Source: MarathonMapper.Source } r && r.Node == _options.Node);

    // The view trails the log: judge "registered" only once it has caught up with the log as it is now.
    private async Task CatchUpViewAsync(CancellationToken ct)
    {
        var head = await _log.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        var began = _clock.GetTimestamp();
        var (position, _) = _view.Snapshot();
        while (position < head)
        {
            var left = ViewWait - _clock.GetElapsedTime(began);
            if (left <= TimeSpan.Zero) return;
            await _view.WaitForChangeAsync(position, left, ct).ConfigureAwait(false);
            (position, _) = _view.Snapshot();
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Marathon: following the event stream of {Url} (leader {Leader})")]
        public static partial void Connected(ILogger logger, string url, string leader);

        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Marathon: the event stream of {Url} ended; reconnecting")]
        public static partial void StreamEnded(ILogger logger, string url);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Marathon: {Url} unreachable: {Error}; trying the next master")]
        public static partial void ConnectionFailed(ILogger logger, string url, string error);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Marathon: a {EventType} event not understood ({Reason}); skipped")]
        public static partial void Malformed(ILogger logger, string eventType, string reason);

        [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Marathon: {EventType} ignored: {Why}")]
        public static partial void Ignored(ILogger logger, string eventType, string why);

        [LoggerMessage(EventId = 1405, Level = LogLevel.Information,
            Message = "Marathon reconcile ({Trigger}) from {Leader}: {Running} running, registered {Registered}, deregistered {Deregistered}, {Rejected} rejected")]
        public static partial void Reconciled(ILogger logger, string trigger, string leader, int running, int registered, int deregistered, int rejected);

        [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Marathon: periodic reconcile from {Leader} failed: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string leader, string error);

        [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Marathon: task {TaskId} runs for app {AppId}, which the leader does not list; the next reconcile registers it")]
        public static partial void UnknownApp(ILogger logger, string appId, string taskId);

        [LoggerMessage(EventId = 1409, Level = LogLevel.Error, Message = "Marathon: following {Url} failed; starting over")]
        public static partial void Failed(ILogger logger, string url, Exception exception);

        [LoggerMessage(EventId = 1408, Level = LogLevel.Debug, Message = "Marathon: fetching app {AppId} failed: {Error}")]
        public static partial void AppFetchFailed(ILogger logger, string appId, string error);
    }
}
