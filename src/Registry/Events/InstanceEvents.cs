using System.Collections.Immutable;

namespace Mesh.Registry.Events;

// The instance lifecycle. Fields are only ever added (with defaults) so that old events keep loading.

/// <summary>An instance is known with this definition. A re-registration that changes anything records a new one.</summary>
public sealed record InstanceRegistered(
    string InstanceId,
    string Service,
    string Env,
    string Address,
    int Port,
    ImmutableArray<string> Tags,
    ImmutableSortedDictionary<string, string> Meta,
    ImmutableArray<RouteSpec> Routes,
    string? Version,
    string Source,
    string Node,
    ImmutableArray<CheckSpec> Checks) : IInstanceEvent;

/// <summary>One check of an instance moved to a new status.</summary>
public sealed record InstanceHealthChanged(
    string InstanceId,
    string CheckId,
    HealthStatus Status,
    string Output) : IInstanceEvent;

/// <summary>Maintenance mode (Consul's <c>_service_maintenance</c>) was switched on or off.</summary>
public sealed record InstanceMaintenanceChanged(
    string InstanceId,
    bool Enabled,
    string Reason) : IInstanceEvent;

/// <summary>The instance is gone: <c>api</c>, <c>expired</c>, <c>reconcile</c>, an exit code, ...</summary>
public sealed record InstanceDeregistered(
    string InstanceId,
    string Reason) : IInstanceEvent;

/// <summary>A source sent something that could not be accepted. Recorded once per instance and reason.</summary>
public sealed record ObservationRejected(
    string InstanceId,
    string Source,
    string Reason,
    string RawPayload) : IInstanceEvent;

/// <summary>An environment was defined explicitly, with the environment it falls back to.</summary>
public sealed record EnvironmentDefined(string Name, string Fallback) : IEvent;

/// <summary>
/// A host/path route declared for a service. <see cref="Host"/> is a host name or a wildcard (<c>*.example.com</c>);
/// <see cref="StripPrefix"/> removes the path prefix before forwarding; <see cref="HttpsRedirect"/> answers plain
/// HTTP with a redirect to HTTPS; <see cref="Timeout"/> bounds a proxied request (null: the gateway's default).
/// </summary>
public sealed record RouteSpec(
    string Host,
    string PathPrefix = "/",
    bool StripPrefix = false,
    bool HttpsRedirect = false,
    TimeSpan? Timeout = null);

public enum HealthStatus
{
    Passing = 0,
    Warning = 1,
    Critical = 2,
}

public enum CheckKind
{
    Http,
    Tcp,
    Ttl,

    /// <summary>Reported by the instance's source (a Docker HEALTHCHECK, a paused container); nothing probes it.</summary>
    Source,
}

/// <summary>A health check declared by a registration. Durations are kept as <see cref="TimeSpan"/>.</summary>
public sealed record CheckSpec(
    string CheckId,
    string Name,
    CheckKind Kind,
    string Target,
    TimeSpan Interval,
    TimeSpan Timeout,
    TimeSpan? DeregisterCriticalServiceAfter,
    HealthStatus InitialStatus,
    string Method = "GET",
    bool TlsSkipVerify = false);
