using Mesh.Host.Api.Consul.Blocking;
using Mesh.Host.Api.Consul.Dto;

namespace Mesh.Host.Api.Consul.Catalog;

/// <summary><c>/v1/catalog/...</c>: what is registered, without health. Blocking reads; open without a token.</summary>
internal static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder v1)
    {
        var catalog = v1.MapGroup("/catalog");

        // Service name → the union of its instances' tags; services with no instance left are not listed.
        catalog.MapGet("/services", (HttpRequest request) => BlockingRead.ServeAsync(
            request.HttpContext,
            s => s.CatalogPosition,
            s => s.Services
                .Where(e => !e.Value.InstanceIds.IsEmpty)
                .ToDictionary(
                    e => e.Key,
                    e => s.InstancesOf(e.Key).SelectMany(i => i.Registration!.Tags).Distinct(StringComparer.Ordinal).ToArray())));

        catalog.MapGet("/service/{name}", (string name, HttpContext http, ConsulAgent agent) => BlockingRead.ServeAsync(
            http,
            s => s.ServicePosition(name),
            s => s.InstancesOf(name)
                .Where(i => InstanceFilters.HasTags(i, http.Request.Query["tag"]))
                .Select(i => ConsulViews.CatalogService(i, agent))
                .ToArray()));

        catalog.MapGet("/datacenters", (ConsulAgent agent) => Results.Json(new[] { agent.Datacenter }));
        return v1;
    }
}
