using Mesh.Registry.Cluster;
using Mesh.Registry.Configuration;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// The event store (<c>Mesh:Store</c>) and the registry that decides observations. The embedded SQLite store
    /// lives at <c>{dataDir}/mesh.db</c>; with <c>Mesh:Store:Kind=postgres</c>, the store is the PostgreSQL database
    /// <c>Mesh:Store:ConnectionString</c> names.
    /// </summary>
    public static IServiceCollection AddMeshRegistry(this IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection(StoreOptions.Section))
            .ValidateSelfOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StoreHealth(sp.GetRequiredService<TimeProvider>()));

        var kind = configuration[$"{StoreOptions.Section}:Kind"];
        if (string.Equals(kind, StoreOptions.Postgres, StringComparison.OrdinalIgnoreCase))
        {
            services.AddOptions<PostgresStoreOptions>()
                .Bind(configuration.GetSection(PostgresStoreOptions.Section))
                .Configure<IOptions<StoreOptions>>((o, store) => o.ConnectionString = store.Value.ConnectionString)
                .ValidateSelfOnStart();
            services.AddSingleton<PostgresEventStore>();
            services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresEventStore>());
            services.AddSingleton<ISnapshotArchive>(sp => sp.GetRequiredService<PostgresEventStore>());
        }
        else
        {
            // Any other kind than sqlite fails StoreOptions' validation when the host starts, naming the key.
            services.AddOptions<SqliteStoreOptions>()
                .Configure(o => o.Path = Path.Combine(dataDir, "mesh.db"))
                .Bind(configuration.GetSection("Mesh:Store:Sqlite"))
                .Validate(o => o.MaxBatchEvents > 0, "Mesh:Store:Sqlite:MaxBatchEvents must be positive")
                .ValidateOnStart();
            services.AddSingleton<SqliteEventStore>();
            services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<SqliteEventStore>());
            services.AddSingleton<ISnapshotArchive>(sp => sp.GetRequiredService<SqliteEventStore>());
        }
        services.AddSingleton<IEventReader>(sp => sp.GetRequiredService<IEventStore>());
        services.AddSingleton<IEventWriter>(sp => sp.GetRequiredService<IEventStore>());
        services.TryAddSingleton<ILeadership, AlwaysLeader>();
        services.AddSingleton<InstanceRegistry>();
        services.AddSingleton<IObservationHandler>(sp => sp.GetRequiredService<InstanceRegistry>());
        return services;
    }
}
