using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Health;

/// <summary>
/// Runs one check of one instance until stopped: HTTP and TCP checks are probed every interval (the first probe
/// right away, after a small jitter), TTL checks are watched for expiry. Every result goes to the registry as a
/// <see cref="CheckReported"/>; the registry appends only transitions. A runner never reports anything but what
/// it found, so a restart resumes each check from the status the log recorded.
/// </summary>
internal sealed partial class CheckRunner
{
    public const string Source = "health";

    private readonly CheckRunnerContext _context;
    private readonly CancellationTokenSource _stop = new();
    private CheckState _state;

    public CheckRunner(CheckKey key, CheckState state, CheckRunnerContext context)
    {
        Key = key;
        Spec = state.Spec;
        _state = state;
        _context = context;
    }

    public CheckKey Key { get; }

    /// <summary>The definition this runner runs; a changed definition gets a new runner.</summary>
    public CheckSpec Spec { get; }

    /// <summary>The check as the view last showed it.</summary>
    public CheckState State => Volatile.Read(ref _state);

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Tells the runner the check's latest recorded status (same definition).</summary>
    public void Update(CheckState state) => Volatile.Write(ref _state, state);

    public void Stop()
    {
        _stop.Cancel();
        _ = Completion.ContinueWith(static (_, cts) => ((CancellationTokenSource)cts!).Dispose(), _stop, TaskScheduler.Default);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        Log.Started(_context.Logger, Key.InstanceId, Key.CheckId, Spec.Kind);
        try
        {
            await (Spec.Kind == CheckKind.Ttl ? WatchTtlAsync(ct) : ProbeLoopAsync(ct)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        Log.Stopped(_context.Logger, Key.InstanceId, Key.CheckId);
    }

    private async Task ProbeLoopAsync(CancellationToken ct)
    {
        var clock = _context.Clock;
        var interval = Spec.Interval > _context.Options.MinInterval ? Spec.Interval : _context.Options.MinInterval;
        var timeout = Spec.Timeout > TimeSpan.Zero ? Spec.Timeout : _context.Options.DefaultTimeout;
        await Task.Delay(FirstDelay(interval), clock, ct).ConfigureAwait(false);
        while (true)
        {
            var started = clock.GetUtcNow();
            try
            {
                var result = await ProbeAsync(timeout, ct).ConfigureAwait(false);
                await ReportAsync(result, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One misbehaving check must not stop its own schedule, nor any other.
                Log.Failed(_context.Logger, ex, Key.InstanceId, Key.CheckId);
            }
            finally
            {
                _context.Counters.Probed();
            }
            var wait = started + interval - clock.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, ct).ConfigureAwait(false);
        }
    }

    private async Task<ProbeResult> ProbeAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _context.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return Spec.Kind switch
            {
                CheckKind.Http => await _context.Http.RunAsync(Spec, timeout, _context.Clock, ct).ConfigureAwait(false),
                CheckKind.Tcp => await TcpProbe.RunAsync(Spec, timeout, _context.Clock, ct).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"Check kind {Spec.Kind} is not probed."),
            };
        }
        finally
        {
            _context.Gate.Release();
        }
    }

    private async Task WatchTtlAsync(CancellationToken ct)
    {
        var clock = _context.Clock;
        var ttl = Spec.Interval;
        var watchedSince = clock.GetUtcNow();
        while (true)
        {
            var wait = ttl;
            try
            {
                var state = State;
                var now = clock.GetUtcNow();
                var lastBeat = _context.Heartbeats.LastBeat(Key);
                if (TtlExpiry.IsExpired(state, lastBeat, watchedSince, now))
                    await ReportAsync(new ProbeResult(HealthStatus.Critical, TtlExpiry.Output(state.Output)), ct).ConfigureAwait(false);
                else if (state.Status != HealthStatus.Critical)
                    wait = TtlExpiry.DueAt(state, lastBeat, watchedSince) - now;
                // A critical check only changes when a report arrives; looking again within one TTL is soon enough,
                // since the TTL then counts from that report.
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                Log.Failed(_context.Logger, ex, Key.InstanceId, Key.CheckId);
            }
            finally
            {
                _context.Counters.TtlEvaluated();
            }
            await Task.Delay(wait > TimeSpan.Zero ? wait : ttl, clock, ct).ConfigureAwait(false);
        }
    }

    private async Task ReportAsync(ProbeResult result, CancellationToken ct)
    {
        var before = State;
        var outcome = await _context.Handler
            .HandleAsync(new CheckReported(Key.InstanceId, Source, Key.CheckId, result.Status, result.Output), ct)
            .ConfigureAwait(false);
        if (outcome.IsRejected) Log.Rejected(_context.Logger, Key.InstanceId, Key.CheckId, outcome.Error!);
        else if (outcome.EventCount > 0 && before.Status != result.Status)
            Log.Changed(_context.Logger, Key.InstanceId, Key.CheckId, result.Status, result.Output);
    }

    // Spreads checks that start together (a restart picks them all up at once) over a quarter interval, at most 500 ms,
    // so the first probe still comes promptly.
    private static TimeSpan FirstDelay(TimeSpan interval)
    {
        var spread = Math.Min(interval.TotalMilliseconds / 4, 500);
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * spread);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Check '{CheckId}' of instance '{InstanceId}' ({Kind}) started")]
        public static partial void Started(ILogger logger, string instanceId, string checkId, CheckKind kind);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Check '{CheckId}' of instance '{InstanceId}' stopped")]
        public static partial void Stopped(ILogger logger, string instanceId, string checkId);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Check '{CheckId}' of instance '{InstanceId}' is now {Status}: {Output}")]
        public static partial void Changed(ILogger logger, string instanceId, string checkId, HealthStatus status, string output);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "Result of check '{CheckId}' of instance '{InstanceId}' not taken: {Reason}")]
        public static partial void Rejected(ILogger logger, string instanceId, string checkId, string reason);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Error, Message = "Check '{CheckId}' of instance '{InstanceId}' failed to run; it runs again at its next interval")]
        public static partial void Failed(ILogger logger, Exception exception, string instanceId, string checkId);
    }
}
