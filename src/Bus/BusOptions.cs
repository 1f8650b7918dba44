using Mesh.Registry.Configuration;

namespace Mesh.Bus;

/// <summary><c>Mesh:Bus</c>: how agents, registries and edges reach each other.</summary>
public sealed class BusOptions : IValidatableOptions
{
    public const string Section = "Mesh:Bus";
    public const string InMemoryTransport = "inmemory";
    public const string RabbitMqTransport = "rabbitmq";

    /// <summary><c>Mesh:Bus:Transport</c>: <c>inmemory</c> (the default; one process only) or <c>rabbitmq</c>.</summary>
    public string Transport { get; set; } = InMemoryTransport;

    /// <summary><c>Mesh:Bus:RabbitMq:...</c>: the broker, when <see cref="Transport"/> is <c>rabbitmq</c>.</summary>
    public RabbitMqBusOptions RabbitMq { get; set; } = new();

    /// <summary>
    /// <c>Mesh:Bus:RequestTimeout</c>: how long an edge waits for a registry's answer, and an agent for the broker's
    /// confirm, before the call fails with <see cref="RegistryUnavailableException"/>. A request not taken up by then
    /// expires in its queue.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>Mesh:Bus:RetryLimit</c>: how often a registry retries a message whose handling threw, before an observation
    /// becomes an <c>ObservationRejected</c> event (other messages go to the <c>_error</c> queue).
    /// </summary>
    public int RetryLimit { get; set; } = 5;

    /// <summary><c>Mesh:Bus:RetryInterval</c>: the wait before the first retry; each further retry waits this much longer.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public bool IsRabbitMq => string.Equals(Transport, RabbitMqTransport, StringComparison.OrdinalIgnoreCase);

    public bool IsInMemory => string.Equals(Transport, InMemoryTransport, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsInMemory && !IsRabbitMq)
            errors.Add($"{Section}:Transport must be '{InMemoryTransport}' or '{RabbitMqTransport}' (was '{Transport}')");
        if (IsRabbitMq) errors.AddRange((RabbitMq ?? new RabbitMqBusOptions { Host = "" }).Validate($"{Section}:RabbitMq"));
        if (RequestTimeout <= TimeSpan.Zero) errors.Add($"{Section}:RequestTimeout must be positive (was {RequestTimeout})");
        if (RetryLimit is < 0 or > 100) errors.Add($"{Section}:RetryLimit must be between 0 and 100 (was {RetryLimit})");
        if (RetryInterval < TimeSpan.Zero) errors.Add($"{Section}:RetryInterval must not be negative (was {RetryInterval})");
        return errors;
    }

    /// <summary>Where the bus is, for status pages and messages: never the password.</summary>
    public string Describe() => IsRabbitMq && RabbitMq is { } r
        ? $"rabbitmq://{r.Host}:{r.Port}/{Uri.EscapeDataString(r.VirtualHost.TrimStart('/'))}"
        : InMemoryTransport;
}
