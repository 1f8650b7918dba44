using Mesh.Dns;
using Mesh.Gateway;
using Mesh.Nginx;
using Mesh.Projections.Feed;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Sources.Marathon;
using Mesh.Registry.Store;

namespace Mesh.Host.Api.Mesh;

/// <summary>
/// <c>/healthz</c> and <c>/v1/mesh/status</c>: the store head, the position each consumer serves, and each source's
/// state (connected, last reconcile, what reconciles fixed).
/// </summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapMeshStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/v1/mesh/status", async (IEventReader store, RegistryFeed feed, IServiceProvider services, CancellationToken ct) =>
        {
            var head = await store.ReadHeadPositionAsync(ct);
            var projection = feed.Current.Position;
            var sources = new Dictionary<string, object>();
            if (services.GetService<DockerSourceStatus>() is { } docker) sources["docker"] = docker.Current;
            if (services.GetService<MarathonSourceStatus>() is { } marathon) sources["marathon"] = marathon.Current;
            var consumers = new Dictionary<string, object>
            {
                ["projection"] = new { Position = projection, Lag = head - projection },
            };
            if (services.GetService<NginxStatus>() is { } nginx)
            {
                foreach (var (target, s) in nginx.Targets)
                    consumers[$"nginx-{target}"] = new { s.Position, s.Hash, s.AppliedAt, s.Reloads, s.LastError };
            }
            GatewayStatusView? gateway = null;
            if (services.GetService<GatewayStatus>() is { } g)
            {
                gateway = g.Current;
                consumers["gateway"] = new { gateway.Position, Lag = head - gateway.Position };
            }
            DnsStatusView? dns = null;
            if (services.GetService<DnsStatus>() is { } d)
            {
                dns = d.Current;
                consumers["dns"] = new { dns.Position, Lag = head - dns.Position };
            }
            return Results.Json(new
            {
                StoreHead = head,
                Consumers = consumers,
                Sources = sources,
                Gateway = gateway,
                Dns = dns,
            });
        });
        return endpoints;
    }
}
