using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Xunit;

namespace Mesh.Registry.Tests.Store.Postgres;

/// <summary><c>Mesh:Store:Kind</c> picks the backend that <c>AddMeshRegistry</c> registers; bad settings are refused naming their key.</summary>
public sealed class PostgresRegistrationTests
{
    [Fact]
    public async Task KindPostgres_RegistersOnePostgresStoreForEveryStoreService()
    {
        await using var services = Build(new()
        {
            ["Mesh:Store:Kind"] = "postgres",
            ["Mesh:Store:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=mesh;Username=mesh",
            ["Mesh:Store:Postgres:PollInterval"] = "00:00:05",
        });

        var store = services.GetRequiredService<IEventStore>();

        Assert.IsType<PostgresEventStore>(store);
        Assert.Same(store, services.GetRequiredService<IEventReader>());
        Assert.Same(store, services.GetRequiredService<IEventWriter>());
        Assert.Same(store, services.GetRequiredService<ISnapshotArchive>());
        Assert.Equal("127.0.0.1:1/mesh", ((PostgresEventStore)store).Server);
        var options = services.GetRequiredService<IOptions<PostgresStoreOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), options.PollInterval);
        Assert.Equal("Host=127.0.0.1;Port=1;Database=mesh;Username=mesh", options.ConnectionString);
        Assert.True(services.GetRequiredService<StoreHealth>().Reachable);
    }

    [Fact]
    public async Task KindPostgres_WithoutConnectionString_IsRefusedNamingTheKey()
    {
        await using var services = Build(new() { ["Mesh:Store:Kind"] = "postgres" });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StoreOptions>>().Value);

        Assert.Contains("Mesh:Store:ConnectionString is required when Mesh:Store:Kind is postgres", ex.Failures);
    }

    [Fact]
    public async Task KindPostgres_BadSettings_AreRefusedNamingEachKey()
    {
        await using var services = Build(new()
        {
            ["Mesh:Store:Kind"] = "postgres",
            ["Mesh:Store:ConnectionString"] = "Nonsense=1",
            ["Mesh:Store:Postgres:PollInterval"] = "00:00:00",
            ["Mesh:Store:Postgres:MaxBatchEvents"] = "0",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresStoreOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith("Mesh:Store:ConnectionString is not a valid Npgsql connection string", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Mesh:Store:Postgres:PollInterval must be positive", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Mesh:Store:Postgres:MaxBatchEvents must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownKind_IsRefusedNamingTheKeyAndTheKinds()
    {
        await using var services = Build(new() { ["Mesh:Store:Kind"] = "mongo" });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StoreOptions>>().Value);

        Assert.Equal("Mesh:Store:Kind must be 'sqlite' (the embedded store) or 'postgres' (was 'mongo')", Assert.Single(ex.Failures));
    }

    [Fact]
    public async Task NoKind_RegistersTheEmbeddedStore()
    {
        await using var services = Build([]);

        var registered = services.GetRequiredService<IServiceProviderIsService>();
        Assert.Empty(services.GetRequiredService<IOptions<StoreOptions>>().Value.Validate());
        Assert.True(registered.IsService(typeof(SqliteEventStore)));
        Assert.False(registered.IsService(typeof(PostgresEventStore)));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMeshRegistry(configuration, Path.Combine(Path.GetTempPath(), "mesh-unused"));
        return services.BuildServiceProvider();
    }
}
