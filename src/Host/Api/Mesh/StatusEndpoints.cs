using Mesh.Projections.Feed;
using Mesh.Registry.Store;

namespace Mesh.Host.Api.Mesh;

/// <summary><c>/healthz</c> and <c>/v1/mesh/status</c>: the store head and the position each consumer serves.</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapMeshStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/v1/mesh/status", async (IEventReader store, RegistryFeed feed, CancellationToken ct) =>
        {
            var head = await store.ReadHeadPositionAsync(ct);
            var projection = feed.Current.Position;
            return Results.Json(new
            {
                StoreHead = head,
                Consumers = new Dictionary<string, object>
                {
                    ["projection"] = new { Position = projection, Lag = head - projection },
                },
            });
        });
        return endpoints;
    }
}
