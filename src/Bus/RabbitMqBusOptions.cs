namespace Mesh.Bus;

/// <summary><c>Mesh:Bus:RabbitMq</c>: the broker and the account the process connects with.</summary>
public sealed class RabbitMqBusOptions
{
    /// <summary><c>Host</c>: the broker's host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary><c>Port</c>: the AMQP port.</summary>
    public int Port { get; set; } = 5672;

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";

    /// <summary><c>VirtualHost</c>: the RabbitMQ virtual host the queues live in.</summary>
    public string VirtualHost { get; set; } = "/";

    internal IReadOnlyList<string> Validate(string section)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
            errors.Add($"{section}:Host is required when {BusOptions.Section}:Transport is '{BusOptions.RabbitMqTransport}'");
        else if (Uri.CheckHostName(Host) == UriHostNameType.Unknown)
            errors.Add($"{section}:Host must be a host name or an IP address (was '{Host}')");
        if (Port is < 1 or > 65535) errors.Add($"{section}:Port must be between 1 and 65535 (was {Port})");
        if (string.IsNullOrEmpty(Username)) errors.Add($"{section}:Username is required");
        if (string.IsNullOrEmpty(VirtualHost)) errors.Add($"{section}:VirtualHost is required ('/' is RabbitMQ's default)");
        return errors;
    }
}
