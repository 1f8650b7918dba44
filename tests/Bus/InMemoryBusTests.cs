using MassTransit;
using Mesh.Bus.Clients;
using Mesh.Bus.Contracts;
using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Mesh.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests;

/// <summary>
/// The in-memory transport (<c>Mesh:Bus:Transport=inmemory</c>, one process): the same consumers and clients as over
/// RabbitMQ. The edge's and the agent's clients share the registry's bus, since in memory there is no other.
/// </summary>
public sealed class InMemoryBusTests : IAsyncDisposable
{
    private readonly TempStore _temp = TempStore.Create("mesh-bus-inmemory-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task EdgeRequest_InMemory_ReturnsThePositionOfTheAppendedEvent()
    {
        await using var registry = await BusNode.StartAsync(BusRole.Registry, BusSettings.InMemory(), _temp.Store);
        var edge = ActivatorUtilities.CreateInstance<EdgeObservationForwarder>(registry.Services);
        var metadata = Metadata("api-req-9");

        var result = await edge.HandleAsync(Seen("api:mem-1") with { Metadata = metadata }, Ct);

        var recorded = Assert.Single(await StreamAsync(_temp.Store, "api:mem-1", Ct));
        Assert.Equal(new ObservationResult(recorded.Position, 1, null), result);
        Assert.Equal(metadata, recorded.Metadata);
        Assert.Equal(new ObservationResult(0, 0, null), await edge.HandleAsync(Seen("api:mem-1"), Ct));
    }

    [Fact]
    public async Task AgentSend_InMemory_IsDecided()
    {
        await using var registry = await BusNode.StartAsync(BusRole.Registry, BusSettings.InMemory(), _temp.Store);
        var agent = ActivatorUtilities.CreateInstance<AgentObservationSender>(registry.Services);

        Assert.Equal(new ObservationResult(0, 0, null), await agent.HandleAsync(Seen("docker:mem-2"), Ct));

        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:mem-2", Ct)).Count == 1, "the registration", TimeSpan.FromSeconds(30), Ct);
        Assert.IsType<InstanceRegistered>(Assert.Single(await StreamAsync(_temp.Store, "docker:mem-2", Ct)).Event);
    }

    [Fact]
    public async Task TtlBeat_InMemory_IsRecordedWithTheSendersTime()
    {
        await using var registry = await BusNode.StartAsync(BusRole.Registry, BusSettings.InMemory(), _temp.Store);
        var at = DateTimeOffset.UtcNow.AddSeconds(-2);

        await registry.Services.GetRequiredService<IBus>().Publish(new TtlBeat("api:mem-3", "mem-ttl", at, "passing"), Ct);

        var heartbeats = registry.Services.GetRequiredService<TtlHeartbeats>();
        await Poll.UntilAsync(() => Task.FromResult(heartbeats.LastBeat("api:mem-3", "mem-ttl") == at), "the beat", TimeSpan.FromSeconds(30), Ct);
    }
}
