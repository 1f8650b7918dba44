using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Clients;

/// <summary>An agent sends over a real RabbitMQ node; a registry decides what it sent, whenever it runs.</summary>
public sealed class AgentObservationSenderTests(RabbitMqServer broker) : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-agent-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Observations_SentWhileNoRegistryRuns_WaitInTheQueueAndAreDecidedWhenOneStarts()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        var settings = BusSettings.RabbitMq(broker, vhost);
        string[] ids = ["docker:queued1", "docker:queued2", "docker:queued3", "docker:queued4", "docker:queued5"];

        await using (var agent = await BusNode.StartAsync(BusRole.Agent, settings))
        {
            foreach (var id in ids)
                Assert.Equal(new ObservationResult(0, 0, null), await agent.Handler.HandleAsync(Seen(id), Ct));
        }

        // The agent is gone and no registry ever ran: the broker alone holds them.
        Assert.Equal(ids.Length, (await broker.ListQueuesAsync(vhost))[BusQueues.Observations]);
        Assert.Equal(0, await _temp.Store.ReadHeadPositionAsync(Ct));

        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await Poll.UntilAsync(async () => await _temp.Store.ReadHeadPositionAsync(Ct) == ids.Length,
            "every queued observation to be decided", Limit, Ct);
        foreach (var id in ids)
        {
            var recorded = Assert.Single(await StreamAsync(_temp.Store, id, Ct));
            Assert.Equal(id, Assert.IsType<InstanceRegistered>(recorded.Event).InstanceId);
        }
    }

    [Fact]
    public async Task Observation_SentTwice_IsAppendedOnce()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, Decorate());
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        const string id = "docker:twice";

        await agent.Handler.HandleAsync(Seen(id), Ct);
        await agent.Handler.HandleAsync(Seen(id), Ct);

        var handler = Scripted(registry);
        await Poll.UntilAsync(() => Task.FromResult(handler.CallsFor(id) == 2), "both copies to be handled", Limit, Ct);
        Assert.Single(await StreamAsync(_temp.Store, id, Ct));
        Assert.Equal([1, 0], handler.Decided.Select(d => d.Result.EventCount));
    }

    [Fact]
    public async Task Observation_RedeliveredAfterItWasAppended_AppendsNothingMore()
    {
        // The registry appends, then fails before the broker learns it is done (a crash before the acknowledgement):
        // the message comes again, and deciding it again appends nothing.
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        const string id = "docker:redelivered";
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, Decorate(
            failAfter: (o, call) => call == 1 ? new IOException("connection lost before the acknowledgement") : null));
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);

        await agent.Handler.HandleAsync(Seen(id), Ct);

        var handler = Scripted(registry);
        await Poll.UntilAsync(() => Task.FromResult(handler.Decided.Count == 2), "the redelivery to be decided", Limit, Ct);
        var recorded = Assert.Single(await StreamAsync(_temp.Store, id, Ct));
        Assert.IsType<InstanceRegistered>(recorded.Event);
        Assert.Equal([1, 0], handler.Decided.Select(d => d.Result.EventCount));
    }

    [Fact]
    public async Task Metadata_OfAnObservation_ReachesTheAppendedEventIntact()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        var metadata = Metadata("1700000000123456789:start");

        await agent.Handler.HandleAsync(Seen("docker:meta") with { Metadata = metadata }, Ct);

        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:meta", Ct)).Count == 1, "the registration", Limit, Ct);
        var recorded = Assert.Single(await StreamAsync(_temp.Store, "docker:meta", Ct));
        Assert.Equal(metadata, recorded.Metadata);
        Assert.Equal("1700000000123456789:start", recorded.Metadata.SourceFactId);
    }

    [Fact]
    public async Task SourceEvents_SentByAnAgent_AreRecordedWithTheirMetadata()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        var metadata = Metadata("deployment-42");
        var summary = new SourceReconciled("docker", "node-1", "connect", Running: 3, Registered: 1, Deregistered: 0, Rejected: 0);
        var fact = new SourceFactRecorded("docker", "node-1", "deployment_step", "{\"step\":1}");

        Assert.Equal(0, await agent.Handler.RecordReconcileAsync(summary, Ct));
        Assert.Equal(0, await agent.Handler.RecordSourceFactAsync(fact, metadata, Ct));

        var stream = StreamName.ForSource("docker", "node-1");
        await Poll.UntilAsync(async () => (await _temp.Store.ReadStreamAsync(stream, 0, Ct).CountAsync(Ct)) == 2, "both source events", Limit, Ct);
        var recorded = await _temp.Store.ReadStreamAsync(stream, 0, Ct).ToListAsync(Ct);
        Assert.Equal(summary, recorded[0].Event);
        Assert.Equal(fact, recorded[1].Event);
        Assert.Equal(metadata, recorded[1].Metadata);
    }

    [Fact]
    public async Task Handle_UnusableInstanceId_ThrowsLikeTheRegistryAndSendsNothing()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        await using var agent = await BusNode.StartAsync(BusRole.Agent, BusSettings.RabbitMq(broker, vhost));

        await Assert.ThrowsAsync<ArgumentException>(() => agent.Handler.HandleAsync(Seen("docker:has space"), Ct));

        Assert.False((await broker.ListQueuesAsync(vhost)).GetValueOrDefault(BusQueues.Observations) > 0);
    }

    private static Action<IServiceCollection> Decorate(Func<Observation, int, Exception?>? failAfter = null) => services =>
        services.AddKeyedSingleton<IObservationHandler>(BusServiceKeys.Registry, (sp, _) =>
            new ScriptedHandler(sp.GetRequiredService<InstanceRegistry>()) { FailAfter = failAfter ?? ((_, _) => null) });

    private static ScriptedHandler Scripted(BusNode registry) =>
        (ScriptedHandler)registry.Services.GetRequiredKeyedService<IObservationHandler>(BusServiceKeys.Registry);
}
