using System.Net;
using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Observability;
using Mesh.Projections.Routes;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Gateway.Routing;

/// <summary>
/// What the gateway needs to forward along one <see cref="Route"/>, built once per route table: its targets (with
/// the shared health of their endpoints), its forwarder settings, its version cookie and its metrics.
/// </summary>
internal sealed class RouteRuntime
{
    public RouteRuntime(Route route, string label, Target[] targets, TimeSpan defaultTimeout, string versionCookie, RouteMetrics metrics)
    {
        Route = route;
        Targets = targets;
        Metrics = metrics;
        var timeout = route.Timeout ?? defaultTimeout;
        Http1 = new ForwarderRequestConfig { ActivityTimeout = timeout };
        // gRPC needs HTTP/2 end to end; to a plain-HTTP instance that means h2c with prior knowledge.
        Http2 = new ForwarderRequestConfig { ActivityTimeout = timeout, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Label = label;
        // Stickiness only means something where the instances carry versions.
        VersionCookie = versionCookie.Length > 0 && targets.Any(t => t.Destination.Version is not null)
            ? $"{versionCookie}.{route.Cluster.Id}"
            : null;
    }

    public Route Route { get; }

    public Target[] Targets { get; }

    public RouteMetrics Metrics { get; }

    public ForwarderRequestConfig Http1 { get; }

    public ForwarderRequestConfig Http2 { get; }

    /// <summary><c>host/prefix</c>: the route's name in logs and metrics.</summary>
    public string Label { get; }

    /// <summary>The cookie that pins a client to a version; null when the route's instances carry none.</summary>
    public string? VersionCookie { get; }
}
