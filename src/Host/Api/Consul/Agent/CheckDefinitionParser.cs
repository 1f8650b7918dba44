using Mesh.Registry.Events;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// A Consul check definition (inside a service registration) → <see cref="CheckSpec"/>. Mesh runs HTTP, TCP and TTL
/// checks; every other kind is refused with a message rather than registered and never run.
/// </summary>
internal static class CheckDefinitionParser
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // Kinds Consul has and Mesh does not run, by the field that selects them.
    private static readonly (string Field, string Kind)[] Unsupported =
    [
        ("GRPC", "gRPC"), ("UDP", "UDP"), ("H2PING", "H2PING"), ("DockerContainerID", "Docker"),
        ("AliasService", "alias"), ("AliasNode", "alias"), ("OSService", "OS service"),
    ];

    /// <summary>Null when the definition has problems (added to the reader's error list).</summary>
    public static CheckSpec? Parse(ConsulJsonObject check, string defaultId, string serviceName, List<string> errors)
    {
        var before = errors.Count;
        var id = check.String("CheckID") ?? check.String("ID");
        var name = check.String("Name");
        var http = check.String("HTTP");
        var tcp = check.String("TCP");
        var ttl = check.Duration("TTL");
        var interval = check.Duration("Interval");
        var timeout = check.Duration("Timeout");
        var deregisterAfter = check.Duration("DeregisterCriticalServiceAfter");
        var statusText = check.String("Status");
        var method = check.String("Method");
        var tlsSkipVerify = check.Bool("TLSSkipVerify");

        if (check.Has("Args") || check.Has("ScriptArgs") || check.Has("Script"))
            errors.Add($"{check.Qualify("Args")}: script checks are not supported by Mesh; use an HTTP, TCP or TTL check");
        foreach (var (field, kind) in Unsupported)
        {
            if (check.Has(field)) errors.Add($"{check.Qualify(field)}: {kind} checks are not supported by Mesh; use an HTTP, TCP or TTL check");
        }
        // Mesh's HTTP checks send no headers or body: refusing them says so, instead of a check that fails for a reason nobody sees.
        if (check.Has("Header")) errors.Add($"{check.Qualify("Header")} is not supported by Mesh's HTTP checks");
        if (check.Has("Body")) errors.Add($"{check.Qualify("Body")} is not supported by Mesh's HTTP checks");

        var kinds = new List<CheckKind>();
        if (!string.IsNullOrEmpty(http)) kinds.Add(CheckKind.Http);
        if (!string.IsNullOrEmpty(tcp)) kinds.Add(CheckKind.Tcp);
        if (ttl is { } t && t > TimeSpan.Zero) kinds.Add(CheckKind.Ttl);
        if (kinds.Count > 1)
            errors.Add($"{check.Path} sets more than one of HTTP, TCP and TTL; a check has one kind");
        if (kinds.Count == 0 && errors.Count == before)
            errors.Add($"{check.Path} needs one of HTTP, TCP or TTL");
        if (kinds is [CheckKind.Ttl] && interval is { } i && i > TimeSpan.Zero)
            errors.Add($"{check.Path} sets both Interval and TTL; a TTL check has no interval");

        if (!string.IsNullOrEmpty(http) && !(Uri.TryCreate(http, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
            errors.Add($"{check.Qualify("HTTP")} '{http}' is not an http(s) URL");
        if (!string.IsNullOrEmpty(tcp) && !IsHostPort(tcp))
            errors.Add($"{check.Qualify("TCP")} '{tcp}' is not host:port");
        if (timeout == TimeSpan.Zero) errors.Add($"{check.Qualify("Timeout")} must be positive");

        var status = ParseStatus(statusText);
        if (!string.IsNullOrEmpty(statusText) && status is null)
            errors.Add($"{check.Qualify("Status")} '{statusText}' is not one of passing, warning, critical");

        if (errors.Count > before || kinds.Count != 1) return null;
        var chosen = kinds[0];
        return new CheckSpec(
            CheckId: string.IsNullOrEmpty(id) ? defaultId : id,
            Name: string.IsNullOrEmpty(name) ? $"Service '{serviceName}' check" : name,
            Kind: chosen,
            Target: chosen switch { CheckKind.Http => http!, CheckKind.Tcp => tcp!, _ => "" },
            // A TTL check's "interval" is its TTL: the time a report stays valid.
            Interval: chosen == CheckKind.Ttl ? ttl!.Value : interval ?? TimeSpan.Zero,
            Timeout: timeout ?? DefaultTimeout,
            DeregisterCriticalServiceAfter: deregisterAfter is { } d && d > TimeSpan.Zero ? d : null,
            // As in Consul, a new check is critical until it first passes, unless the registration says otherwise.
            InitialStatus: status ?? HealthStatus.Critical,
            Method: string.IsNullOrEmpty(method) ? "GET" : method.ToUpperInvariant(),
            TlsSkipVerify: tlsSkipVerify ?? false);
    }

    /// <summary>Consul's status names (passing, warning, critical), any case; null for anything else.</summary>
    public static HealthStatus? ParseStatus(string? text) => text?.ToLowerInvariant() switch
    {
        "passing" => HealthStatus.Passing,
        "warning" => HealthStatus.Warning,
        "critical" => HealthStatus.Critical,
        _ => null,
    };

    private static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1) return false;
        var host = value[..colon].Trim('[', ']');
        return int.TryParse(value.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535
            && (System.Net.IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns);
    }
}
