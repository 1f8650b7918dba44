using Mesh.Registry.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Sources.Docker;

public static class DockerSourceServiceCollectionExtensions
{
    /// <summary>
    /// The Docker source, when <c>Mesh:Sources:Docker:Endpoint</c> is set (its settings are validated at start, each
    /// problem naming its key), with its <see cref="DockerSourceStatus"/>. Needs the registry, an
    /// <see cref="Instances.IInstanceView"/> (the projections provide it) and the event store.
    /// </summary>
    public static IServiceCollection AddMeshDockerSource(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(DockerSourceOptions.Section);
        services.AddOptions<DockerSourceOptions>().Bind(section).ValidateSelfOnStart();
        if (string.IsNullOrWhiteSpace(section[nameof(DockerSourceOptions.Endpoint)])) return services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => DockerHostDefaults.Resolve(sp.GetRequiredService<IOptions<DockerSourceOptions>>().Value));
        services.AddSingleton(sp => new DockerSourceStatus(
            sp.GetRequiredService<IOptions<DockerSourceOptions>>().Value.Endpoint!,
            sp.GetRequiredService<DockerHost>().Node));
        services.AddSingleton<DockerSource>();
        services.AddHostedService(sp => sp.GetRequiredService<DockerSource>());
        return services;
    }

}
