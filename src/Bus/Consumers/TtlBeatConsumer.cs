using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Registry.Health;
using Microsoft.Extensions.Logging;

namespace Mesh.Bus.Consumers;

/// <summary>
/// A registry's side of TTL beats: each <see cref="TtlBeat"/> any edge's or registry's API took is recorded in this
/// process's <see cref="TtlHeartbeats"/>, whether it leads or not, so that the health checker of whichever registry
/// leads counts the TTL from it. The beat counts from its sender's time, never later than now here
/// (<see cref="TtlHeartbeats.Beat(string, string, DateTimeOffset)"/>). Nothing is retried: a beat that cannot be
/// recorded is a missed beat.
/// </summary>
internal sealed partial class TtlBeatConsumer(TtlHeartbeats heartbeats, ILogger<TtlBeatConsumer> logger) : IConsumer<TtlBeat>
{
    public Task Consume(ConsumeContext<TtlBeat> context)
    {
        var beat = context.Message;
        if (string.IsNullOrEmpty(beat.InstanceId) || string.IsNullOrEmpty(beat.CheckId))
        {
            Log.Unusable(logger, beat.InstanceId, beat.CheckId);
            return Task.CompletedTask;
        }
        heartbeats.Beat(beat.InstanceId, beat.CheckId, beat.At);
        Log.Recorded(logger, beat.CheckId, beat.InstanceId, beat.Status, beat.At);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8016, Level = LogLevel.Debug, Message = "Bus: TTL beat of check '{CheckId}' (instance '{InstanceId}', {Status}) at {At:O} recorded")]
        public static partial void Recorded(ILogger logger, string checkId, string instanceId, string status, DateTimeOffset at);

        [LoggerMessage(EventId = 8017, Level = LogLevel.Warning, Message = "Bus: a TTL beat without an instance ('{InstanceId}') or check id ('{CheckId}') was ignored")]
        public static partial void Unusable(ILogger logger, string? instanceId, string? checkId);
    }
}
