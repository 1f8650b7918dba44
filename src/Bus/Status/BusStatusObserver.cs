using MassTransit;
using Microsoft.Extensions.Logging;

namespace Mesh.Bus.Status;

/// <summary>Logs receive endpoints as they start and fail (a lost broker connection faults them) and keeps the last failure in <see cref="BusStatus"/>.</summary>
internal sealed partial class BusStatusObserver(BusStatus status, ILogger<BusStatusObserver> logger) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        Log.Ready(logger, ready.InputAddress);
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        var error = faulted.Exception?.Message ?? "faulted";
        status.RecordFailure($"{faulted.InputAddress}: {error}");
        Log.Faulted(logger, faulted.InputAddress, error);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8021, Level = LogLevel.Information, Message = "Bus: receiving on {InputAddress}")]
        public static partial void Ready(ILogger logger, Uri inputAddress);

        [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "Bus: endpoint {InputAddress} faulted, MassTransit reconnects: {Error}")]
        public static partial void Faulted(ILogger logger, Uri inputAddress, string error);
    }
}
