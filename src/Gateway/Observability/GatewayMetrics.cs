using System.Collections.Concurrent;
using Prometheus;

namespace Mesh.Gateway.Observability;

/// <summary>
/// <c>mesh_gateway_*</c> metrics, per route (host and path prefix) and service (cluster: <c>web</c>,
/// <c>web--feature-x</c>). The children a route uses are resolved once and cached, so a request touches no label
/// lookup.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly ConcurrentDictionary<(string Route, string Service), RouteMetrics> _routes = new();
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Gauge _active;

    public GatewayMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter(
            "mesh_gateway_requests_total", "Requests through the gateway, by route, service and status class (2xx, 4xx, ...).",
            "route", "service", "code");
        _duration = factory.CreateHistogram(
            "mesh_gateway_request_duration_seconds", "Time from a request's arrival to its response's end, by route and service.",
            new HistogramConfiguration
            {
                LabelNames = ["route", "service"],
                Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
            });
        _active = factory.CreateGauge(
            "mesh_gateway_requests_active", "Requests being proxied, by route and service.", "route", "service");
        Destinations = factory.CreateGauge(
            "mesh_gateway_destinations", "Destinations of each service the gateway routes to, by state: passing, or out (taken out by passive health).",
            "service", "state");
        Retries = factory.CreateCounter(
            "mesh_gateway_retries_total", "Requests sent again to another instance after a connection failure, by service.", "service");
    }

    public CollectorRegistry Registry { get; }

    public Gauge Destinations { get; }

    public Counter Retries { get; }

    /// <summary>The metrics of requests that matched no route (route and service empty).</summary>
    public RouteMetrics Unrouted => For("", "");

    public RouteMetrics For(string route, string service) =>
        _routes.GetOrAdd((route, service), static (key, m) => new RouteMetrics(
            [.. new[] { "1xx", "2xx", "3xx", "4xx", "5xx" }.Select(c => m._requests.WithLabels(key.Route, key.Service, c))],
            m._duration.WithLabels(key.Route, key.Service),
            m._active.WithLabels(key.Route, key.Service),
            m.Retries.WithLabels(key.Service)), this);
}

/// <summary>The metric children of one route and service.</summary>
internal sealed class RouteMetrics(Counter.Child[] byClass, Histogram.Child duration, Gauge.Child active, Counter.Child retries)
{
    public Gauge.Child Active => active;

    public Counter.Child Retries => retries;

    public void Completed(int status, double seconds)
    {
        byClass[Math.Clamp(status / 100, 1, 5) - 1].Inc();
        duration.Observe(seconds);
    }
}
