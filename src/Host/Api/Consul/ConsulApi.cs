using Mesh.Host.Api.Consul.Agent;
using Mesh.Host.Api.Consul.Auth;
using Mesh.Host.Api.Consul.Catalog;
using Mesh.Host.Api.Consul.Health;
using Mesh.Host.Api.Consul.Kv;
using Mesh.Host.Api.Consul.Status;

namespace Mesh.Host.Api.Consul;

/// <summary>
/// The Consul-compatible HTTP API (<c>/v1/...</c>), with Consul's paths, JSON field names and blocking queries, so
/// Consul clients, registrator and consul-template work unchanged. Writes become observations for the registry;
/// reads are served from the published <c>RegistryState</c>.
/// </summary>
internal static class ConsulApi
{
    public static IServiceCollection AddMeshConsulApi(this IServiceCollection services)
    {
        services.AddSingleton<ConsulAgent>();
        services.AddSingleton<ApiObservations>();
        return services;
    }

    public static WebApplication MapConsulApi(this WebApplication app)
    {
        // Middleware, not an endpoint filter: it also guards /v1/mesh/* and any write, whoever maps them.
        app.UseMiddleware<TokenMiddleware>();

        var v1 = app.MapGroup("/v1");
        var agent = v1.MapGroup("/agent");
        agent.MapServiceEndpoints();
        agent.MapCheckEndpoints();
        agent.MapAgentReadEndpoints();
        v1.MapCatalogEndpoints();
        v1.MapHealthEndpoints();
        v1.MapConsulStatusEndpoints();
        v1.MapKvEndpoints();
        return app;
    }
}
