using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Bus.Status;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Bus.Clients;

/// <summary>
/// An edge's <see cref="IObservationHandler"/>: each call is a request to <see cref="BusQueues.Requests"/>, answered
/// by a registry once it decided (and appended) it, so the result is the registry's own. No answer within
/// <c>Mesh:Bus:RequestTimeout</c> (no registry, no broker) or a registry that failed throws
/// <see cref="RegistryUnavailableException"/>; the request carries the timeout as its time-to-live, so a registry
/// that comes later does not decide what the caller was told failed.
/// </summary>
internal sealed partial class EdgeObservationForwarder(
    IBus bus, IOptions<BusOptions> options, BusStatus status, TimeProvider clock, ILogger<EdgeObservationForwarder> logger) : IObservationHandler
{
    private readonly BusOptions _options = options.Value;

    public async Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (InstanceValidation.ExplainId(observation.InstanceId) is { } idError) throw new ArgumentException(idError, nameof(observation));
        var message = MessageCodec.Encode(observation);
        var decided = await RequestAsync<DecideObservation, ObservationDecided>(
            message, $"{message.Type} for instance '{observation.InstanceId}'", ct).ConfigureAwait(false);
        return new ObservationResult(decided.Position, decided.EventCount, decided.Error);
    }

    public async Task<long> RecordReconcileAsync(SourceReconciled summary, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var recorded = await RequestAsync<RecordSourceEvent, SourceEventRecorded>(
            MessageCodec.Encode(summary), $"reconcile summary of {summary.Source} on '{summary.Node}'", ct).ConfigureAwait(false);
        return recorded.Position;
    }

    public async Task<long> RecordSourceFactAsync(SourceFactRecorded fact, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fact);
        ArgumentNullException.ThrowIfNull(metadata);
        var recorded = await RequestAsync<RecordSourceEvent, SourceEventRecorded>(
            MessageCodec.Encode(fact, metadata), $"{fact.EventType} fact of {fact.Source} on '{fact.Node}'", ct).ConfigureAwait(false);
        return recorded.Position;
    }

    public async Task<ObservationResult> DefineEnvironmentAsync(string name, string fallback, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var decided = await RequestAsync<DefineEnvironment, ObservationDecided>(
            new DefineEnvironment(name, fallback, MessageCodec.EncodeMetadata(metadata)), $"definition of environment '{name}'", ct).ConfigureAwait(false);
        return new ObservationResult(decided.Position, decided.EventCount, decided.Error);
    }

    private async Task<TResponse> RequestAsync<TRequest, TResponse>(TRequest message, string what, CancellationToken ct)
        where TRequest : class
        where TResponse : class
    {
        var deadline = clock.GetUtcNow() + _options.RequestTimeout;
        try
        {
            // Request clients are light: one per call, each with the configured timeout.
            var client = bus.CreateRequestClient<TRequest>(BusQueues.RequestsAddress, RequestTimeout.After(ms: (int)_options.RequestTimeout.TotalMilliseconds));
            var response = await client.GetResponse<TResponse>(message, x => x.UseExecute(context =>
            {
                // The send may happen late (the connection was still being made): what is left of the caller's wait
                // is the request's time-to-live, and a request the caller already gave up on is not sent at all.
                var left = deadline - clock.GetUtcNow();
                if (left <= TimeSpan.Zero) throw new OperationCanceledException("The request's deadline passed before it could be sent.");
                context.TimeToLive = left;
                RequestDeadline.Write(context, deadline);
            }), ct).ConfigureAwait(false);
            return response.Message;
        }
        catch (RequestTimeoutException ex)
        {
            throw Fail($"No registry answered the {what} within {Seconds} s (Mesh:Bus:RequestTimeout; queue '{BusQueues.Requests}' at {status.Address}): "
                + "is a registry running and the broker reachable? Nothing is known to be recorded", ex);
        }
        catch (RequestFaultException ex)
        {
            var errors = ex.Fault?.Exceptions is { Length: > 0 } exceptions ? string.Join("; ", exceptions.Select(e => e.Message)) : ex.Message;
            throw Fail($"The registry failed to record the {what}: {errors}", ex);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            ct.ThrowIfCancellationRequested();
            throw;
        }
        catch (Exception ex) when (ex is not RegistryUnavailableException)
        {
            throw Fail($"The {what} could not be sent to a registry ({status.Address}): {ex.Message}", ex);
        }
    }

    private string Seconds => _options.RequestTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private RegistryUnavailableException Fail(string error, Exception cause)
    {
        status.RecordFailure(error);
        Log.RequestFailed(logger, error);
        return new RegistryUnavailableException(error, cause);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8012, Level = LogLevel.Warning, Message = "Bus: {Error}")]
        public static partial void RequestFailed(ILogger logger, string error);
    }
}
