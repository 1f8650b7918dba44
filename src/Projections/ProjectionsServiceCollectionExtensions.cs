using Mesh.Projections.Feed;
using Mesh.Projections.Snapshots;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Projections;

public static class ProjectionsServiceCollectionExtensions
{
    /// <summary>The registry projection, its feed and its snapshots; options from <c>Mesh:Projections</c>.</summary>
    public static IServiceCollection AddMeshProjections(this IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        services.AddOptions<SnapshotOptions>()
            .Configure(o => o.Directory = Path.Combine(dataDir, "snapshots"))
            .Bind(configuration.GetSection("Mesh:Projections"))
            .Validate(o => o.SnapshotEvery > 0, "Mesh:Projections:SnapshotEvery must be a positive number of events")
            .ValidateOnStart();
        services.AddSingleton<RegistryFeed>();
        services.AddSingleton<Mesh.Registry.Instances.IInstanceView, RegistryInstanceView>();
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<RegistryProjector>();
        services.AddSingleton<History.RegistryHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryProjector>());
        return services;
    }
}
