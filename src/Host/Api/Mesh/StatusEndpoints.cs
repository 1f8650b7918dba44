using Mesh.Bus.Status;
using Mesh.Dns;
using Mesh.Gateway;
using Mesh.Host.Configuration;
using Mesh.Nginx;
using Mesh.Projections.Feed;
using Mesh.Registry.Cluster;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Sources.Marathon;
using Mesh.Registry.Store;

namespace Mesh.Host.Api.Mesh;

/// <summary>
/// <c>/healthz</c> and <c>/v1/mesh/status</c>: this process's role, the store head (and whether the store answers),
/// the position each consumer serves and its lag, the bus, leadership (registries), and each source's state
/// (connected, last reconcile, what reconciles fixed).
/// </summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapMeshStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/v1/mesh/status", async (IEventReader store, RegistryFeed feed, StoreHealth storeHealth, MeshRole role, IServiceProvider services, CancellationToken ct) =>
        {
            // An unreachable store does not fail the status: this process still serves its last state, and says why
            // the head is unknown.
            long? head = null;
            string? storeError = null;
            try
            {
                head = await store.ReadHeadPositionAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                storeError = ex.Message;
            }
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
            var health = storeHealth.Current;
            return Results.Json(new
            {
                Role = role.Name,
                StoreHead = head,
                Position = projection,
                Lag = head - projection,
                Store = new
                {
                    Reachable = storeError is null && health.Reachable,
                    LastError = storeError ?? health.LastError,
                    health.LastErrorAt,
                    health.Failures,
                },
                Bus = services.GetService<BusStatus>()?.Current is { } bus
                    ? new { Role = bus.Role.ToString().ToLowerInvariant(), bus.Transport, bus.Address, bus.Connected, bus.Health, bus.Description, bus.LastError, bus.LastErrorAt }
                    : null,
                Leader = role.Name == MeshOptions.Registry ? services.GetRequiredService<ILeadership>().IsLeader : (bool?)null,
                Consumers = consumers,
                Sources = sources,
                Gateway = gateway,
                Dns = dns,
            });
        });
        return endpoints;
    }
}
