namespace Mesh.Host.Api.Consul;

/// <summary>The Consul-compatible HTTP API (<c>/v1/...</c>).</summary>
internal static class ConsulApi
{
    public static IServiceCollection AddMeshConsulApi(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapConsulApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
