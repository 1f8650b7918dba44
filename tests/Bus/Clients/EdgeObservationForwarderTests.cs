using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Clients;

/// <summary>An edge asks a registry over a real RabbitMQ node and gets the registry's own answer, or a clear failure.</summary>
public sealed class EdgeObservationForwarderTests(RabbitMqServer broker) : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-edge-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Handle_WithARegistry_ReturnsThePositionOfTheAppendedEvent()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);
        await _temp.Store.AppendAsync(StreamName.ForEnvironment("other"), ExpectedVersion.Any, [new EventData(new EnvironmentDefined("other", "integration"))], Ct);

        var result = await edge.Handler.HandleAsync(Seen("api:web-1"), Ct);

        // Appended before the answer: the position is the event's own.
        var recorded = Assert.Single(await StreamAsync(_temp.Store, "api:web-1", Ct));
        Assert.IsType<InstanceRegistered>(recorded.Event);
        Assert.Equal(new ObservationResult(recorded.Position, 1, null), result);
        Assert.Equal(2, result.Position);

        // The same again changes nothing, and says so.
        Assert.Equal(new ObservationResult(0, 0, null), await edge.Handler.HandleAsync(Seen("api:web-1"), Ct));
    }

    [Fact]
    public async Task Handle_ObservationTheRegistryRejects_ReturnsItsReason()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);

        var result = await edge.Handler.HandleAsync(Seen("api:bad-1", service: "Not A Label"), Ct);

        Assert.True(result.IsRejected);
        Assert.Contains("Not A Label", result.Error, StringComparison.Ordinal);
        var recorded = Assert.Single(await StreamAsync(_temp.Store, "api:bad-1", Ct));
        Assert.Equal(result.Position, recorded.Position);
        Assert.Equal(result.Error, Assert.IsType<ObservationRejected>(recorded.Event).Reason);
    }

    [Fact]
    public async Task DefineEnvironmentAndSourceEvents_WithARegistry_ReturnTheRegistrysPositions()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);

        var defined = await edge.Handler.DefineEnvironmentAsync("feature-x", "integration", Metadata("api-req-1"), Ct);
        var again = await edge.Handler.DefineEnvironmentAsync("feature-x", "integration", Metadata("api-req-2"), Ct);
        var invalid = await edge.Handler.DefineEnvironmentAsync("Feature X", "integration", EventMetadata.Empty, Ct);
        var reconciled = await edge.Handler.RecordReconcileAsync(new SourceReconciled("api", "edge-1", "periodic", 1, 0, 0, 0), Ct);
        var fact = await edge.Handler.RecordSourceFactAsync(new SourceFactRecorded("api", "edge-1", "put", "{}"), Metadata("api-req-3"), Ct);

        Assert.Equal(new ObservationResult(1, 1, null), defined);
        Assert.Equal(new ObservationResult(0, 0, null), again);
        Assert.True(invalid.IsRejected);
        Assert.Equal(2, reconciled);
        Assert.Equal(3, fact);
        var all = await _temp.Store.ReadAllAsync(ct: Ct).ToListAsync(Ct);
        Assert.Equal(["EnvironmentDefined", "SourceReconciled", "SourceFactRecorded"], all.Select(e => e.Type));
        Assert.Equal(Metadata("api-req-1"), all[0].Metadata);
        Assert.Equal(Metadata("api-req-3"), all[2].Metadata);
    }

    [Fact]
    public async Task Handle_WithoutARegistry_ThrowsRegistryUnavailable()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync(), requestTimeout: TimeSpan.FromSeconds(1));
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => edge.Handler.HandleAsync(Seen("api:web-2"), Ct));

        Assert.Contains("No registry answered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mesh:Bus:RequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, edge.Status.Current.LastError);
    }

    [Theory]
    [InlineData(true)] // sent at once: it expires in the queue
    [InlineData(false)] // the edge is still connecting: the send comes too late to be sent at all
    public async Task Request_ThatTimedOut_IsNotDecidedByARegistryStartingLater(bool edgeConnectedFirst)
    {
        // The caller was told "unavailable": a registry that comes later must not record it after all.
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync(), requestTimeout: TimeSpan.FromSeconds(1));
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);
        if (edgeConnectedFirst) await edge.WaitUntilConnectedAsync();
        await Assert.ThrowsAsync<RegistryUnavailableException>(() => edge.Handler.HandleAsync(Seen("api:late-1"), Ct));

        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        // A later request answered means the registry consumed the queue past the expired one.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await edge.Handler.HandleAsync(Seen("api:after-1"), Ct)).EventCount == 1;
            }
            catch (RegistryUnavailableException)
            {
                return false;
            }
        }, "a registry to answer", Limit, Ct);

        Assert.Empty(await StreamAsync(_temp.Store, "api:late-1", Ct));
        Assert.Equal(0, (await broker.ListQueuesAsync(settings["Mesh:Bus:RabbitMq:VirtualHost"]!))[BusQueues.Requests]);
    }
}
