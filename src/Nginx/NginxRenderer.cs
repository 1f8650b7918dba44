using System.Security.Cryptography;
using System.Text;
using Mesh.Nginx.Configuration;
using Mesh.Nginx.Model;
using Mesh.Nginx.Rendering;
using Mesh.Nginx.Rollout;
using Mesh.Projections.Feed;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Nginx;

/// <summary>
/// The coordinator of one target: waits on the feed, batches changes (a quiet period of DebounceMs, but never later
/// than MaxDelayMs after the first pending change), renders, and rolls out only bytes that differ from what is
/// live. Every configuration that went live is an <see cref="NginxConfigApplied"/> in <c>nginx-{target}</c>;
/// every one nginx refused is an <see cref="NginxConfigRejected"/>. Failures to run nginx are retried with a
/// capped backoff; they never stop Mesh.
/// </summary>
internal sealed partial class NginxRenderer(
    string target,
    NginxTargetOptions options,
    RegistryFeed feed,
    IEventWriter store,
    NginxStatus status,
    TimeProvider clock,
    ILogger<NginxRenderer> logger) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConfigRollout _rollout = new(options);
    private readonly NginxTemplate _template = NginxTemplate.Load(options.TemplatePath);
    private byte[]? _live;
    private RegistryState? _renderedFrom; // the last state rendered through to an outcome (unchanged, applied or refused)
    private string? _rejectedHash;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        var debounce = TimeSpan.FromMilliseconds(options.DebounceMs);
        var maxDelay = TimeSpan.FromMilliseconds(options.MaxDelayMs);
        long rendered = -1;
        var backoff = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // After a failure: retry when the backoff ends, or sooner with a newer state.
                var state = await feed.WaitForNewerAsync(rendered, backoff > TimeSpan.Zero ? backoff : Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
                state = await BatchAsync(state, debounce, maxDelay, ct).ConfigureAwait(false);
                var ok = await RenderAsync(state, ct).ConfigureAwait(false);
                rendered = state.Position;
                backoff = ok ? TimeSpan.Zero : Next(backoff);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = Next(backoff);
                Log.Failed(logger, target, backoff.TotalMilliseconds, ex);
                status.Update(target, s => s with { LastError = ex.Message });
            }
        }
    }

    private static TimeSpan Next(TimeSpan backoff) =>
        backoff == TimeSpan.Zero ? MinBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));

    /// <summary>Takes newer states until the feed is quiet for <paramref name="debounce"/> or <paramref name="maxDelay"/> has passed since the first.</summary>
    private async Task<RegistryState> BatchAsync(RegistryState state, TimeSpan debounce, TimeSpan maxDelay, CancellationToken ct)
    {
        var first = clock.GetTimestamp();
        while (true)
        {
            var remaining = maxDelay - clock.GetElapsedTime(first);
            if (remaining <= TimeSpan.Zero || debounce <= TimeSpan.Zero) return state;
            var next = await feed.WaitForNewerAsync(state.Position, remaining < debounce ? remaining : debounce, ct).ConfigureAwait(false);
            if (next.Position <= state.Position) return state;
            state = next;
        }
    }

    /// <summary>Renders <paramref name="state"/> and rolls it out if it changed; false when it should be retried.</summary>
    private async Task<bool> RenderAsync(RegistryState state, CancellationToken ct)
    {
        // Nothing nginx is rendered from changed (this target's own audit record, typically): the same bytes again.
        if (_renderedFrom is not null && state.HasSameRegistryAs(_renderedFrom)) return Unchanged(state);
        var ok = await RenderChangedAsync(state, ct).ConfigureAwait(false);
        if (ok) _renderedFrom = state;
        return ok;
    }

    private async Task<bool> RenderChangedAsync(RegistryState state, CancellationToken ct)
    {
        var model = NginxModel.From(state, target, options);
        var bytes = Encoding.UTF8.GetBytes(_template.Render(model));
        if (_live is not null && bytes.AsSpan().SequenceEqual(_live)) return Unchanged(state);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash == _rejectedHash) return true; // nginx already refused exactly these bytes

        var (outcome, message) = await _rollout.ApplyAsync(bytes, ct).ConfigureAwait(false);
        switch (outcome)
        {
            case RolloutOutcome.Applied:
                _live = bytes;
                _rejectedHash = null;
                await AppendAsync(new NginxConfigApplied(target, hash, state.Position, Path.GetFullPath(options.OutputPath)), ct).ConfigureAwait(false);
                Log.Applied(logger, target, hash, state.Position);
                status.Update(target, s => s with { Position = state.Position, Hash = hash, AppliedAt = clock.GetUtcNow(), LastError = null, Reloads = s.Reloads + 1 });
                return true;
            case RolloutOutcome.Rejected:
                _rejectedHash = hash;
                await AppendAsync(new NginxConfigRejected(target, hash, state.Position, message), ct).ConfigureAwait(false);
                Log.Rejected(logger, target, hash, state.Position, message);
                status.Update(target, s => s with { LastError = message });
                return true;
            default:
                Log.RolloutFailed(logger, target, state.Position, message);
                status.Update(target, s => s with { LastError = message });
                return false;
        }
    }

    /// <summary>What is live already serves <paramref name="state"/>: only the position served moves on.</summary>
    private bool Unchanged(RegistryState state)
    {
        Log.Unchanged(logger, target, state.Position);
        status.Update(target, s => s with { Position = state.Position });
        return true;
    }

    private async Task AppendAsync(IEvent e, CancellationToken ct)
    {
        try
        {
            await store.AppendAsync(StreamName.ForNginx(target), ExpectedVersion.Any, [new EventData(e)], ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // nginx already has (or refused) the config; losing the record is bad but must not undo or repeat the rollout.
            Log.AppendFailed(logger, target, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "nginx target '{Target}': applied {Hash} rendered at position {Position}")]
        public static partial void Applied(ILogger logger, string target, string hash, long position);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "nginx target '{Target}': nginx rejected {Hash} rendered at position {Position}; the previous config still serves: {Error}")]
        public static partial void Rejected(ILogger logger, string target, string hash, long position, string error);

        [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "nginx target '{Target}': rollout of position {Position} failed, will retry: {Error}")]
        public static partial void RolloutFailed(ILogger logger, string target, long position, string error);

        [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "nginx target '{Target}': position {Position} renders what is live, nothing to do")]
        public static partial void Unchanged(ILogger logger, string target, long position);

        [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "nginx target '{Target}': render failed, retrying in {BackoffMs} ms")]
        public static partial void Failed(ILogger logger, string target, double backoffMs, Exception exception);

        [LoggerMessage(EventId = 7006, Level = LogLevel.Error, Message = "nginx target '{Target}': could not record the outcome in the log")]
        public static partial void AppendFailed(ILogger logger, string target, Exception exception);
    }
}
