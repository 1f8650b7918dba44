using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Bus.Consumers;

/// <summary>
/// A registry's side of the bus: hands each message to the local registry (<see cref="BusServiceKeys.Registry"/>)
/// and answers when the message was a request. Redelivery is harmless: the registry appends nothing for what it
/// already holds. An observation whose handling throws on every attempt (or that cannot be read at all) is recorded
/// as rejected for its instance, with the failure as the reason, instead of being dropped; when even that fails,
/// the exception reaches MassTransit, which moves the message to <c>{queue}_error</c>.
/// </summary>
internal sealed partial class RegistryConsumer(
    [FromKeyedServices(BusServiceKeys.Registry)] IObservationHandler registry,
    IOptions<BusOptions> options,
    TimeProvider clock,
    ILogger<RegistryConsumer> logger)
    : IConsumer<DecideObservation>, IConsumer<RecordSourceEvent>, IConsumer<DefineEnvironment>
{
    private readonly BusOptions _options = options.Value;

    public async Task Consume(ConsumeContext<DecideObservation> context)
    {
        var message = context.Message;
        if (IsExpired(context))
        {
            Log.Expired(logger, message.Type, message.InstanceId);
            return;
        }

        var result = TryDecode(message, out var observation, out var unreadable)
            ? await DecideAsync(context, observation).ConfigureAwait(false)
            // Retrying cannot make it readable.
            : await RejectAsync(context, $"the registry could not read this observation: {unreadable}").ConfigureAwait(false);

        if (context.ResponseAddress is not null)
            await context.RespondAsync(new ObservationDecided(result.Position, result.EventCount, result.Error)).ConfigureAwait(false);
    }

    private async Task<ObservationResult> DecideAsync(ConsumeContext<DecideObservation> context, Observation observation)
    {
        var message = context.Message;
        try
        {
            var result = await registry.HandleAsync(observation, context.CancellationToken).ConfigureAwait(false);
            Log.Decided(logger, message.Type, message.InstanceId, result.EventCount, result.Position);
            return result;
        }
        catch (ArgumentException ex)
        {
            // An instance id the registry cannot name: not even a rejection can be recorded for it.
            Log.Unusable(logger, message.Type, message.InstanceId, ex.Message, context.ReceiveContext.InputAddress);
            throw;
        }
        catch (Exception ex) when (IsFailure(ex, context) && IsLastAttempt(context))
        {
            var attempts = context.GetRetryAttempt() + 1;
            Log.GaveUp(logger, ex, message.Type, message.InstanceId, attempts);
            return await RejectAsync(
                context, $"the registry failed to decide this {message.Type} in {attempts} attempt(s): {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, context))
        {
            Log.WillRetry(logger, message.Type, message.InstanceId, context.GetRetryAttempt() + 1, _options.RetryLimit + 1, ex.Message);
            throw;
        }
    }

    private static bool TryDecode(DecideObservation message, [NotNullWhen(true)] out Observation? observation, out string error)
    {
        try
        {
            observation = MessageCodec.Decode(message);
            error = "";
            return true;
        }
        catch (InvalidDataException ex)
        {
            observation = null;
            error = ex.Message;
            return false;
        }
    }

    public async Task Consume(ConsumeContext<RecordSourceEvent> context)
    {
        var message = context.Message;
        if (IsExpired(context))
        {
            Log.Expired(logger, message.Type, "-");
            return;
        }

        long position;
        try
        {
            var metadata = MessageCodec.DecodeMetadata(message.Metadata);
            position = MessageCodec.Decode(message) switch
            {
                SourceReconciled summary => await registry.RecordReconcileAsync(summary, context.CancellationToken).ConfigureAwait(false),
                SourceFactRecorded fact => await registry.RecordSourceFactAsync(fact, metadata, context.CancellationToken).ConfigureAwait(false),
                var other => throw new InvalidDataException($"a {EventTypes.NameOf(other)} is not a source event"),
            };
        }
        catch (Exception ex) when (IsFailure(ex, context))
        {
            Log.SourceEventFailed(logger, message.Type, context.GetRetryAttempt() + 1, _options.RetryLimit + 1, ex.Message);
            throw;
        }

        if (context.ResponseAddress is not null)
            await context.RespondAsync(new SourceEventRecorded(position)).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<DefineEnvironment> context)
    {
        var message = context.Message;
        if (IsExpired(context))
        {
            Log.Expired(logger, "DefineEnvironment", message.Name);
            return;
        }

        ObservationResult result;
        try
        {
            result = await registry.DefineEnvironmentAsync(
                message.Name, message.Fallback, MessageCodec.DecodeMetadata(message.Metadata), context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, context))
        {
            Log.SourceEventFailed(logger, "DefineEnvironment", context.GetRetryAttempt() + 1, _options.RetryLimit + 1, ex.Message);
            throw;
        }

        if (context.ResponseAddress is not null)
            await context.RespondAsync(new ObservationDecided(result.Position, result.EventCount, result.Error)).ConfigureAwait(false);
    }

    // The observation as an InstanceInvalid for its instance: an ObservationRejected event, once per reason.
    private async Task<ObservationResult> RejectAsync(ConsumeContext<DecideObservation> context, string reason)
    {
        var message = context.Message;
        EventMetadata metadata;
        try
        {
            metadata = MessageCodec.DecodeMetadata(message.Metadata);
        }
        catch (InvalidDataException)
        {
            metadata = EventMetadata.Empty;
        }
        // The rejection keeps what failed: the source's raw payload, or else the observation as it arrived.
        metadata = metadata with { RawPayload = metadata.RawPayload ?? RawText(message.Observation) };
        try
        {
            var result = await registry.HandleAsync(
                new InstanceInvalid(message.InstanceId, message.Source, reason) { Metadata = metadata }, context.CancellationToken).ConfigureAwait(false);
            Log.Rejected(logger, message.Type, message.InstanceId, reason);
            return result;
        }
        catch (Exception ex) when (IsFailure(ex, context))
        {
            Log.RejectFailed(logger, ex, message.Type, message.InstanceId, context.ReceiveContext.InputAddress);
            throw;
        }
    }

    private bool IsLastAttempt(ConsumeContext context) => context.GetRetryAttempt() >= _options.RetryLimit;

    // A request the edge gave up on: deciding it now would append what the caller was told failed. The edge's
    // deadline is its own clock's (hosts are assumed NTP-synchronised); the broker's time-to-live backs it up.
    private bool IsExpired(ConsumeContext context) =>
        context.ResponseAddress is not null && RequestDeadline.Read(context) is { } deadline && deadline < clock.GetUtcNow();

    // Shutting down is no failure of the message: it goes back to the queue unacknowledged.
    private static bool IsFailure(Exception ex, ConsumeContext context) =>
        !(ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested);

    // Compact: the transport may have indented it.
    private static string RawText(JsonElement json) => json.ValueKind == JsonValueKind.Undefined ? "" : JsonSerializer.Serialize(json);

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Debug, Message = "Bus: {Type} for instance '{InstanceId}' decided: {EventCount} event(s), position {Position}")]
        public static partial void Decided(ILogger logger, string type, string instanceId, int eventCount, long position);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Bus: {Type} for instance '{InstanceId}' failed (attempt {Attempt} of {Attempts}), retrying: {Error}")]
        public static partial void WillRetry(ILogger logger, string type, string instanceId, int attempt, int attempts, string error);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Error, Message = "Bus: {Type} for instance '{InstanceId}' failed in all {Attempts} attempt(s); recording it as rejected")]
        public static partial void GaveUp(ILogger logger, Exception exception, string type, string instanceId, int attempts);

        [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "Bus: {Type} for instance '{InstanceId}' rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string type, string instanceId, string reason);

        [LoggerMessage(EventId = 8005, Level = LogLevel.Error, Message = "Bus: {Type} for instance '{InstanceId}' could not even be recorded as rejected; it goes to the error queue of {InputAddress}")]
        public static partial void RejectFailed(ILogger logger, Exception exception, string type, string instanceId, Uri? inputAddress);

        [LoggerMessage(EventId = 8008, Level = LogLevel.Error, Message = "Bus: {Type} for instance '{InstanceId}' cannot be decided ({Error}); it goes to the error queue of {InputAddress}")]
        public static partial void Unusable(ILogger logger, string type, string instanceId, string error, Uri? inputAddress);

        [LoggerMessage(EventId = 8006, Level = LogLevel.Warning, Message = "Bus: {Type} failed (attempt {Attempt} of {Attempts}); after the last it goes to the error queue: {Error}")]
        public static partial void SourceEventFailed(ILogger logger, string type, int attempt, int attempts, string error);

        [LoggerMessage(EventId = 8007, Level = LogLevel.Warning, Message = "Bus: request {Type} for '{Subject}' expired before a registry took it up; not decided (the caller was told the registry is unavailable)")]
        public static partial void Expired(ILogger logger, string type, string subject);
    }
}
