using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Health;

/// <summary>
/// The health checker: follows the registered instances in <see cref="IInstanceView"/> and keeps one
/// <see cref="CheckRunner"/> per declared check (started for new checks, stopped for removed ones, restarted for
/// changed ones), and a reaper that deregisters (reason <c>expired</c>) instances whose check has been critical
/// for longer than its <c>DeregisterCriticalServiceAfter</c>. It holds no state of its own that a restart would
/// lose, except the TTL heartbeats: statuses and transition times come from the log.
/// </summary>
internal sealed partial class HealthChecker : BackgroundService
{
    private static readonly TimeSpan ViewWait = TimeSpan.FromSeconds(30);

    private readonly IInstanceView _view;
    private readonly IObservationHandler _handler;
    private readonly IEventReader _reader;
    private readonly TtlHeartbeats _heartbeats;
    private readonly HealthCheckOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<HealthChecker> _logger;
    private readonly CheckRunnerContext _context;
    private readonly Dictionary<CheckKey, CheckRunner> _runners = [];
    private readonly List<Task> _stopping = [];
    private int _running;

    public HealthChecker(
        IInstanceView view,
        IObservationHandler handler,
        IEventReader reader,
        TtlHeartbeats heartbeats,
        IOptions<HealthCheckOptions> options,
        TimeProvider clock,
        ILogger<HealthChecker> logger)
    {
        _view = view;
        _handler = handler;
        _reader = reader;
        _heartbeats = heartbeats;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _context = new CheckRunnerContext(new HttpProbe(), handler, heartbeats, clock, _options, Counters, logger);
    }

    internal HealthCounters Counters { get; } = new();

    /// <summary>Check runners currently running.</summary>
    internal int RunningChecks => Volatile.Read(ref _running);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var reaper = ReapLoopAsync(stoppingToken);
        try
        {
            await SuperviseAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var runner in _runners.Values)
            {
                runner.Stop();
                _stopping.Add(runner.Completion);
            }
            _runners.Clear();
            Volatile.Write(ref _running, 0);
            _stopping.Add(reaper);
            await Task.WhenAll(_stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var position = -1L;
            try
            {
                (position, var instances) = _view.Snapshot();
                Reconcile(instances);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                Log.ReconcileFailed(_logger, ex);
            }
            if (position < 0) await Task.Delay(TimeSpan.FromSeconds(1), _clock, ct).ConfigureAwait(false);
            else await _view.WaitForChangeAsync(position, ViewWait, ct).ConfigureAwait(false);
        }
    }

    private void Reconcile(IReadOnlyCollection<InstanceState> instances)
    {
        var desired = CheckPlan.Desired(instances);
        var diff = CheckPlan.Diff(_runners.ToDictionary(r => r.Key, r => r.Value.Spec), desired);
        foreach (var key in diff.Stop)
        {
            var runner = _runners[key];
            _runners.Remove(key);
            runner.Stop();
            _stopping.Add(runner.Completion);
            if (!desired.ContainsKey(key)) _heartbeats.Forget(key);
        }
        foreach (var key in diff.Keep) _runners[key].Update(desired[key]);
        foreach (var key in diff.Start)
        {
            var runner = new CheckRunner(key, desired[key], _context);
            _runners[key] = runner;
            runner.Start();
        }
        _stopping.RemoveAll(t => t.IsCompleted);
        Volatile.Write(ref _running, _runners.Count);
    }

    private async Task ReapLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.ReaperInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await ReapAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    Log.ReapFailed(_logger, ex);
                }
                Counters.Reaped();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ReapAsync(CancellationToken ct)
    {
        // A view behind the log may still show as critical a check that has recovered since: reap only from a view
        // that has caught up with the log as it was when this pass began.
        var head = await _reader.ReadHeadPositionAsync(ct).ConfigureAwait(false);
        var began = _clock.GetTimestamp();
        var (position, instances) = _view.Snapshot();
        while (position < head)
        {
            var left = _options.ReaperInterval - _clock.GetElapsedTime(began);
            if (left <= TimeSpan.Zero)
            {
                Log.ReapSkipped(_logger, position, head);
                return;
            }
            await _view.WaitForChangeAsync(position, left, ct).ConfigureAwait(false);
            (position, instances) = _view.Snapshot();
        }

        foreach (var expired in Reaper.Expired(instances, _clock.GetUtcNow()))
        {
            var outcome = await _handler.HandleAsync(new InstanceGone(expired.InstanceId, CheckRunner.Source, Reaper.Reason), ct)
                .ConfigureAwait(false);
            if (outcome.EventCount > 0)
                Log.Reaped(_logger, expired.InstanceId, expired.CheckId, expired.CriticalSince, expired.After);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _context.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1210, Level = LogLevel.Error, Message = "Could not follow the registered instances; trying again")]
        public static partial void ReconcileFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1211, Level = LogLevel.Warning,
            Message = "Instance '{InstanceId}' deregistered: check '{CheckId}' critical since {CriticalSince:o}, longer than DeregisterCriticalServiceAfter {After}")]
        public static partial void Reaped(ILogger logger, string instanceId, string checkId, DateTimeOffset criticalSince, TimeSpan after);

        [LoggerMessage(EventId = 1212, Level = LogLevel.Debug, Message = "Reaper pass skipped: the view is at {Position}, the log at {Head}")]
        public static partial void ReapSkipped(ILogger logger, long position, long head);

        [LoggerMessage(EventId = 1213, Level = LogLevel.Error, Message = "Reaper pass failed; trying again at the next one")]
        public static partial void ReapFailed(ILogger logger, Exception exception);
    }
}
