using Mesh.Bus.Clients;
using Mesh.Bus.Status;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mesh.Bus.Tests;

/// <summary>What each role registers: the registry keeps its own handler, agents and edges send over the bus.</summary>
public sealed class BusServiceCollectionExtensionsTests : IAsyncDisposable
{
    private readonly TempStore _temp = TempStore.Create("mesh-bus-di-");

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Theory]
    [InlineData(BusRole.Agent, typeof(AgentObservationSender))]
    [InlineData(BusRole.Edge, typeof(EdgeObservationForwarder))]
    [InlineData(BusRole.Registry, typeof(InstanceRegistry))]
    public async Task AddMeshBus_Role_DecidesWhoHandlesObservations(BusRole role, Type expected)
    {
        await using var provider = Compose(role);

        Assert.IsType(expected, provider.GetRequiredService<IObservationHandler>());
        Assert.Single(provider.GetServices<IObservationHandler>());
    }

    [Theory]
    [InlineData(BusRole.Edge, typeof(BusTtlHeartbeatSink))]
    [InlineData(BusRole.Registry, typeof(BusTtlHeartbeatSink))]
    [InlineData(BusRole.Agent, null)]
    public async Task AddMeshBus_RolesServingTheConsulApi_PublishTtlBeats(BusRole role, Type? expected)
    {
        await using var provider = Compose(role);

        var sink = provider.GetService<ITtlHeartbeatSink>();

        if (expected is null) Assert.Null(sink);
        else Assert.IsType(expected, sink);
        if (expected is not null) Assert.Single(provider.GetServices<ITtlHeartbeatSink>());
    }

    [Fact]
    public async Task AddMeshBus_Registry_AfterTheHealthChecks_ReplacesTheirLocalSink()
    {
        var services = new ServiceCollection().AddLogging().AddMeshTtlHeartbeats();
        services.AddSingleton<IEventStore>(_temp.Store);
        services.AddSingleton<InstanceRegistry>();
        services.AddSingleton<IObservationHandler>(sp => sp.GetRequiredService<InstanceRegistry>());
        await using var provider = services.AddMeshBus(new ConfigurationBuilder().Build(), BusRole.Registry).BuildServiceProvider();

        Assert.IsType<BusTtlHeartbeatSink>(Assert.Single(provider.GetServices<ITtlHeartbeatSink>()));
    }

    [Fact]
    public async Task AddMeshBus_Registry_DecidesWithTheProcesssRegistry()
    {
        await using var provider = Compose(BusRole.Registry);

        Assert.Same(provider.GetRequiredService<InstanceRegistry>(), provider.GetRequiredKeyedService<IObservationHandler>(BusServiceKeys.Registry));
    }

    [Fact]
    public async Task BusStatus_BeforeTheBusStarted_SaysWhereAndThatItIsNotConnected()
    {
        await using var provider = Compose(BusRole.Edge);

        var status = provider.GetRequiredService<BusStatus>().Current;

        Assert.Equal(new BusStatusSnapshot(BusRole.Edge, "inmemory", "inmemory", false, status.Health, status.Description, null, null), status);
        Assert.NotEqual("healthy", status.Health);
    }

    private ServiceProvider Compose(BusRole role)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IEventStore>(_temp.Store);
        services.AddSingleton<InstanceRegistry>();
        services.AddSingleton<IObservationHandler>(sp => sp.GetRequiredService<InstanceRegistry>());
        services.AddSingleton(TimeProvider.System);
        return services.AddMeshBus(configuration, role).BuildServiceProvider();
    }
}
