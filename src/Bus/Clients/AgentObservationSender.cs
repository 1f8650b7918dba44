using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Bus.Status;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Bus.Clients;

/// <summary>
/// An agent's <see cref="IObservationHandler"/>: sends each call to <see cref="BusQueues.Observations"/> and returns
/// once the broker confirmed it (RabbitMQ publisher confirms; the message is persistent and the queue durable), so
/// observations sent while no registry runs wait there and are decided when one comes back. Nothing is appended
/// yet when a call returns, so every result is "nothing appended": <see cref="ObservationResult"/>(0, 0, null) and
/// position 0. What can be checked here without the log is: an unusable instance id throws
/// <see cref="ArgumentException"/> as the registry would, an invalid environment returns its error. A broker that
/// does not confirm within <c>Mesh:Bus:RequestTimeout</c> throws <see cref="RegistryUnavailableException"/>.
/// </summary>
internal sealed partial class AgentObservationSender(
    IBus bus, IOptions<BusOptions> options, BusStatus status, ILogger<AgentObservationSender> logger) : IObservationHandler
{
    /// <summary>What every sent observation returns: nothing is appended until a registry decides it.</summary>
    public static readonly ObservationResult Sent = new(0, 0, null);

    private readonly BusOptions _options = options.Value;

    public async Task<ObservationResult> HandleAsync(Observation observation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (InstanceValidation.ExplainId(observation.InstanceId) is { } idError) throw new ArgumentException(idError, nameof(observation));
        var message = MessageCodec.Encode(observation);
        await SendAsync(message, $"{message.Type} for instance '{observation.InstanceId}'", ct).ConfigureAwait(false);
        return Sent;
    }

    public async Task<long> RecordReconcileAsync(SourceReconciled summary, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        await SendAsync(MessageCodec.Encode(summary), $"reconcile summary of {summary.Source} on '{summary.Node}'", ct).ConfigureAwait(false);
        return 0;
    }

    public async Task<long> RecordSourceFactAsync(SourceFactRecorded fact, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fact);
        ArgumentNullException.ThrowIfNull(metadata);
        await SendAsync(MessageCodec.Encode(fact, metadata), $"{fact.EventType} fact of {fact.Source} on '{fact.Node}'", ct).ConfigureAwait(false);
        return 0;
    }

    public async Task<ObservationResult> DefineEnvironmentAsync(string name, string fallback, EventMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var errors = EnvironmentValidation.Validate(name, fallback);
        if (errors.Count > 0) return new ObservationResult(0, 0, string.Join("; ", errors));
        await SendAsync(new DefineEnvironment(name, fallback, MessageCodec.EncodeMetadata(metadata)), $"definition of environment '{name}'", ct)
            .ConfigureAwait(false);
        return Sent;
    }

    private async Task SendAsync<T>(T message, string what, CancellationToken ct) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            var endpoint = await bus.GetSendEndpoint(BusQueues.ObservationsAddress).WaitAsync(timeout.Token).ConfigureAwait(false);
            await endpoint.Send(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw Fail($"The broker at {status.Address} did not confirm the {what} within {_options.RequestTimeout.TotalSeconds:0.###} s (Mesh:Bus:RequestTimeout); it may or may not have been queued (sending it again is harmless)", ex);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw Fail($"Sending the {what} to {status.Address} failed: {ex.Message}", ex);
        }
    }

    private RegistryUnavailableException Fail(string error, Exception cause)
    {
        status.RecordFailure(error);
        Log.SendFailed(logger, error);
        return new RegistryUnavailableException(error, cause);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "Bus: {Error}")]
        public static partial void SendFailed(ILogger logger, string error);
    }
}
