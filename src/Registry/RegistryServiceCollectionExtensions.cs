using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// The event store (<c>Mesh:Store</c>) and the registry that decides observations. The embedded SQLite store
    /// lives at <c>{dataDir}/mesh.db</c>.
    /// </summary>
    public static IServiceCollection AddMeshRegistry(this IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection("Mesh:Store"))
            .Validate(o => string.Equals(o.Kind, StoreOptions.Sqlite, StringComparison.OrdinalIgnoreCase),
                "Mesh:Store:Kind must be 'sqlite' (the embedded store); other backends are not available in this version")
            .ValidateOnStart();
        services.AddOptions<SqliteStoreOptions>()
            .Configure(o => o.Path = Path.Combine(dataDir, "mesh.db"))
            .Bind(configuration.GetSection("Mesh:Store:Sqlite"))
            .Validate(o => o.MaxBatchEvents > 0, "Mesh:Store:Sqlite:MaxBatchEvents must be positive")
            .ValidateOnStart();
        services.AddSingleton<SqliteEventStore>();
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<SqliteEventStore>());
        services.AddSingleton<IEventReader>(sp => sp.GetRequiredService<IEventStore>());
        services.AddSingleton<IEventWriter>(sp => sp.GetRequiredService<IEventStore>());
        services.AddSingleton<ISnapshotArchive>(sp => sp.GetRequiredService<SqliteEventStore>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InstanceRegistry>();
        services.AddSingleton<IObservationHandler>(sp => sp.GetRequiredService<InstanceRegistry>());
        return services;
    }
}
