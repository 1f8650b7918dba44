using Mesh.Registry.Formats;
using System.Collections.Immutable;
using Docker.DotNet.Models;
using Mesh.Registry.Events;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// The checks of a container's instance: <c>docker:state</c> always (critical while paused), <c>docker:health</c>
/// when the container has a HEALTHCHECK (critical until Docker says healthy), and <c>docker:http</c> when
/// <c>mesh.check.http</c> / <c>SERVICE_CHECK_HTTP</c> names a path and the instance is routable.
/// </summary>
internal static class CheckMapping
{
    public static readonly TimeSpan DefaultHttpInterval = TimeSpan.FromSeconds(10);

    /// <summary>The HTTP check's timeout, shortened to its interval when that is shorter.</summary>
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Docker's own default HEALTHCHECK interval and timeout.</summary>
    public static readonly TimeSpan DockerHealthcheckDefault = TimeSpan.FromSeconds(30);

    /// <summary>A source-reported check is never probed; validation still wants a positive interval, so it says this one.</summary>
    public static readonly TimeSpan StateInterval = TimeSpan.FromSeconds(30);

    public static readonly CheckSpec StateCheck = new(
        ContainerMapper.StateCheckId, "Container state", CheckKind.Source, "",
        StateInterval, TimeSpan.Zero, null, HealthStatus.Passing);

    public static ImmutableArray<CheckSpec> Checks(
        ContainerInspectResponse container, ContainerSettings settings, string? port, ContainerEndpoint endpoint, List<string> reasons)
    {
        var checks = ImmutableArray.CreateBuilder<CheckSpec>();
        checks.Add(StateCheck);
        if (HasHealthcheck(container)) checks.Add(HealthCheck(container.Config?.Healthcheck));

        var interval = Interval(settings, port, reasons);
        if (settings.Get(MeshLabels.CheckHttp, MeshLabels.RegistratorCheckHttp, port) is { IsEmpty: false } http)
        {
            if (!IsPath(http.Value))
                reasons.Add($"{http.Origin} '{http.Value}' is not a path (it starts with '/' and has no spaces)");
            // Unroutable: there is nothing to probe; the instance says why in its Meta.
            else if (endpoint.IsRoutable && interval is { } every)
                checks.Add(HttpCheck(endpoint, http.Value, every));
        }
        return checks.ToImmutable();
    }

    /// <summary>A HEALTHCHECK in the container's (image-merged) config other than <c>NONE</c>, or a health state Docker keeps.</summary>
    public static bool HasHealthcheck(ContainerInspectResponse container) =>
        (container.Config?.Healthcheck?.Test is { Count: > 0 } test && test[0] != "NONE")
        || container.State?.Health is not null;

    private static CheckSpec HealthCheck(HealthcheckConfig? config) => new(
        ContainerMapper.HealthCheckId, "Docker HEALTHCHECK", CheckKind.Source, "",
        Positive(config?.Interval) ?? DockerHealthcheckDefault,
        Positive(config?.Timeout) ?? DockerHealthcheckDefault,
        null,
        // Not passing until Docker says healthy (it starts in "starting").
        HealthStatus.Critical);

    private static CheckSpec HttpCheck(ContainerEndpoint endpoint, string path, TimeSpan interval) => new(
        ContainerMapper.HttpCheckId, $"HTTP GET {path}", CheckKind.Http,
        $"http://{UrlHost(endpoint.Address)}:{endpoint.Port}{path}",
        interval, interval < HttpTimeout ? interval : HttpTimeout, null,
        // As in Consul, critical until the first probe passes.
        HealthStatus.Critical);

    private static TimeSpan? Interval(ContainerSettings settings, string? port, List<string> reasons)
    {
        if (settings.Get(MeshLabels.CheckInterval, MeshLabels.RegistratorCheckInterval, port) is not { IsEmpty: false } setting)
            return DefaultHttpInterval;
        if (GoDuration.TryParse(setting.Value, out var interval) && interval > TimeSpan.Zero) return interval;
        reasons.Add($"{setting.Origin} '{setting.Value}' is not a positive duration such as 10s, 1m30s or 500ms");
        return null;
    }

    private static bool IsPath(string value) =>
        value.StartsWith('/') && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static string UrlHost(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

    private static TimeSpan? Positive(TimeSpan? value) => value > TimeSpan.Zero ? value : null;
}
