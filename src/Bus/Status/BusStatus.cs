using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bus.Status;

/// <summary>
/// How this process's bus is doing, for <c>/v1/mesh/status</c>: the transport and broker address (never the
/// password), whether MassTransit reports the bus healthy (connected, endpoints receiving) and the last failure seen.
/// </summary>
public sealed class BusStatus
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;
    private Failure? _lastFailure;

    internal BusStatus(BusRole role, BusOptions options, IServiceProvider services, TimeProvider clock)
    {
        Role = role;
        Transport = options.IsRabbitMq ? BusOptions.RabbitMqTransport : BusOptions.InMemoryTransport;
        Address = options.Describe();
        _services = services;
        _clock = clock;
    }

    public BusRole Role { get; }

    /// <summary><c>inmemory</c> or <c>rabbitmq</c>.</summary>
    public string Transport { get; }

    /// <summary><c>rabbitmq://host:port/vhost</c>, or <c>inmemory</c>.</summary>
    public string Address { get; }

    /// <summary>The state now: asks the bus for its health on every read (cheap: no I/O).</summary>
    public BusStatusSnapshot Current
    {
        get
        {
            var (status, description) = Health();
            var last = Volatile.Read(ref _lastFailure);
            return new BusStatusSnapshot(
                Role, Transport, Address, status == BusHealthStatus.Healthy, status.ToString().ToLowerInvariant(), description,
                last?.Error, last?.At);
        }
    }

    internal void RecordFailure(string error) => Volatile.Write(ref _lastFailure, new Failure(error, _clock.GetUtcNow()));

    private (BusHealthStatus Status, string Description) Health()
    {
        try
        {
            // The bus is created with the first resolve; before the host started it, it reports not started.
            var bus = _services.GetService<IBusControl>();
            if (bus is null) return (BusHealthStatus.Unhealthy, "no bus is registered");
            var health = bus.CheckHealth();
            return (health.Status, health.Description ?? "");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return (BusHealthStatus.Unhealthy, ex.Message);
        }
    }

    private sealed record Failure(string Error, DateTimeOffset At);
}
