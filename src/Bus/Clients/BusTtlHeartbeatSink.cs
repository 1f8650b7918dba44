using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Bus.Status;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Bus.Clients;

/// <summary>
/// The <see cref="ITtlHeartbeatSink"/> of edges and registries: records the beat in the process's own
/// <see cref="TtlHeartbeats"/> at once, then publishes it as a <see cref="TtlBeat"/> that every registry records in
/// its own (<see cref="Consumers.TtlBeatConsumer"/>), since only the leading registry runs the health checker.
/// Fire-and-forget: the API does not wait for the broker, and a publish that fails (or is not confirmed within
/// <c>Mesh:Bus:RequestTimeout</c>) is logged, never thrown: a beat lost while the broker is down is a missed beat, as
/// in Consul. At most <see cref="MaxInFlight"/> publishes wait at once; beats beyond that are dropped the same way.
/// </summary>
internal sealed partial class BusTtlHeartbeatSink : ITtlHeartbeatSink, IDisposable
{
    internal const int MaxInFlight = 1024;

    private readonly TtlHeartbeats _local;
    private readonly IBus _bus;
    private readonly BusOptions _options;
    private readonly BusStatus _status;
    private readonly TimeProvider _clock;
    private readonly ILogger<BusTtlHeartbeatSink> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;
    private int _failing;

    public BusTtlHeartbeatSink(
        TtlHeartbeats local, IBus bus, IOptions<BusOptions> options, BusStatus status, TimeProvider clock, ILogger<BusTtlHeartbeatSink> logger)
    {
        _local = local;
        _bus = bus;
        _options = options.Value;
        _status = status;
        _clock = clock;
        _logger = logger;
    }

    public void Beat(string instanceId, string checkId, HealthStatus status)
    {
        var at = _clock.GetUtcNow();
        _local.Beat(instanceId, checkId, at);
        var beat = new TtlBeat(instanceId, checkId, at, status.ToString().ToLowerInvariant());
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            Failed(beat, $"{MaxInFlight} earlier beats are still waiting for the broker");
            return;
        }
        _ = PublishAsync(beat);
    }

    /// <summary>Completes when the beat was published or given up on; never faults.</summary>
    internal async Task PublishAsync(TtlBeat beat)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.RequestTimeout);
            // Off the API's thread at once: Publish may wait for a connection being made.
            await Task.Yield();
            await _bus.Publish(beat, context =>
            {
                // A beat is only worth its freshness: not kept on disk, and not delivered once a TTL-scale while old.
                context.Durable = false;
                context.TimeToLive = _options.RequestTimeout;
            }, timeout.Token).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _failing, 0) == 1) Log.Recovered(_logger, _status.Address);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the beat is lost with the process.
        }
        catch (OperationCanceledException)
        {
            Failed(beat, $"the broker did not confirm it within {_options.RequestTimeout.TotalSeconds:0.###} s (Mesh:Bus:RequestTimeout)");
        }
        catch (Exception ex)
        {
            Failed(beat, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Failed(TtlBeat beat, string error)
    {
        var message = $"The TTL beat of check '{beat.CheckId}' (instance '{beat.InstanceId}') could not be published to the registries at {_status.Address}: {error}";
        _status.RecordFailure(message);
        // Once per outage at Warning: a broker that is down fails every beat of every check.
        if (Interlocked.Exchange(ref _failing, 1) == 0) Log.PublishFailed(_logger, message);
        else Log.PublishStillFailing(_logger, message);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "Bus: {Error}; the leading registry may count these checks as missing beats (further failures are logged at Debug until a beat gets through)")]
        public static partial void PublishFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 8014, Level = LogLevel.Debug, Message = "Bus: {Error}")]
        public static partial void PublishStillFailing(ILogger logger, string error);

        [LoggerMessage(EventId = 8015, Level = LogLevel.Information, Message = "Bus: TTL beats reach the broker at {Address} again")]
        public static partial void Recovered(ILogger logger, string address);
    }
}
