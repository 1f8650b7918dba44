using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Registry.Sources.Docker;

public static class DockerSourceServiceCollectionExtensions
{
    /// <summary>The Docker source, when <c>Mesh:Sources:Docker:Endpoint</c> is set.</summary>
    public static IServiceCollection AddMeshDockerSource(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DockerSourceOptions>().Bind(configuration.GetSection(DockerSourceOptions.Section));
        return services;
    }
}
