using System.Text.Json;
using MassTransit;
using Mesh.Bus.Contracts;
using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Consumers;

/// <summary>An observation whose handling throws every time is recorded as rejected after the retries, or parked in the error queue: never lost silently.</summary>
public sealed class PoisonObservationTests(RabbitMqServer broker) : IAsyncDisposable
{
    private const int RetryLimit = 2;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-poison-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Observation_FailingEveryAttempt_EndsAsObservationRejectedForItsInstance()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        var settings = BusSettings.RabbitMq(broker, vhost, retryLimit: RetryLimit);
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store,
            Failing((o, _) => o is InstanceSeen { InstanceId: "docker:poison" } ? new InvalidOperationException("the disk is on fire") : null));
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        var metadata = Metadata("1700000000000000001:start");

        await agent.Handler.HandleAsync(Seen("docker:poison") with { Metadata = metadata }, Ct);
        await agent.Handler.HandleAsync(Seen("docker:healthy"), Ct);

        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:poison", Ct)).Count == 1, "the rejection", Limit, Ct);
        var recorded = Assert.Single(await StreamAsync(_temp.Store, "docker:poison", Ct));
        var rejected = Assert.IsType<ObservationRejected>(recorded.Event);
        Assert.Contains("InvalidOperationException: the disk is on fire", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains($"{RetryLimit + 1} attempt", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal("docker", rejected.Source);
        Assert.Equal(metadata.RawPayload, rejected.RawPayload);
        Assert.Equal(metadata, recorded.Metadata);
        // Every attempt, then the rejection itself.
        Assert.Equal(RetryLimit + 2, Scripted(registry).CallsFor("docker:poison"));

        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:healthy", Ct)).Count == 1, "the healthy one", Limit, Ct);
        Assert.False((await broker.ListQueuesAsync(vhost)).GetValueOrDefault(BusQueues.Observations + "_error") > 0);
    }

    [Fact]
    public async Task Observation_Unreadable_IsRejectedAtOnce()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync(), retryLimit: RetryLimit);
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, Failing((_, _) => null));
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        using var garbled = JsonDocument.Parse("{\"instanceId\":\"docker:garbled\",\"port\":\"eighty\"}");
        var endpoint = await agent.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{BusQueues.Observations}"));

        await endpoint.Send(new DecideObservation("InstanceSeen", "docker:garbled", "docker", garbled.RootElement.Clone(), MessageCodec.EncodeMetadata(EventMetadata.Empty)), Ct);

        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:garbled", Ct)).Count == 1, "the rejection", Limit, Ct);
        var rejected = Assert.IsType<ObservationRejected>(Assert.Single(await StreamAsync(_temp.Store, "docker:garbled", Ct)).Event);
        Assert.StartsWith("the registry could not read this observation: the InstanceSeen could not be read", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(garbled.RootElement.GetRawText(), rejected.RawPayload);
        // No attempt to decide it, no retries: only the rejection reached the registry.
        Assert.IsType<InstanceInvalid>(Assert.Single(Scripted(registry).Decided).Observation);
    }

    [Fact]
    public async Task Observation_WhoseRejectionFailsToo_GoesToTheErrorQueue()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        var settings = BusSettings.RabbitMq(broker, vhost, retryLimit: RetryLimit);
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store,
            Failing((o, _) => o.InstanceId == "docker:doomed" ? new InvalidOperationException("the store is gone") : null));
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);

        await agent.Handler.HandleAsync(Seen("docker:doomed"), Ct);

        await Poll.UntilAsync(async () => (await broker.ListQueuesAsync(vhost)).GetValueOrDefault(BusQueues.Observations + "_error") == 1,
            "the message in the error queue", Limit, Ct);
        Assert.Empty(await StreamAsync(_temp.Store, "docker:doomed", Ct));
        Assert.Equal(0, (await broker.ListQueuesAsync(vhost))[BusQueues.Observations]);
    }

    [Fact]
    public async Task Request_FailingEveryAttempt_IsAnsweredWithTheRejection()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync(), retryLimit: RetryLimit);
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store,
            Failing((o, _) => o is InstanceSeen ? new TimeoutException("the store did not answer") : null));
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);

        var result = await edge.Handler.HandleAsync(Seen("api:poison"), Ct);

        Assert.True(result.IsRejected);
        Assert.Contains("the store did not answer", result.Error, StringComparison.Ordinal);
        var recorded = Assert.Single(await StreamAsync(_temp.Store, "api:poison", Ct));
        Assert.Equal(result.Position, recorded.Position);
        Assert.IsType<ObservationRejected>(recorded.Event);
    }

    [Fact]
    public async Task SourceEventRequest_FailingEveryAttempt_ThrowsRegistryUnavailableAndParksTheMessage()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        var settings = BusSettings.RabbitMq(broker, vhost, retryLimit: RetryLimit);
        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, services =>
            services.AddKeyedSingleton<IObservationHandler>(BusServiceKeys.Registry, (sp, _) =>
                new ScriptedHandler(sp.GetRequiredService<InstanceRegistry>()) { FailSourceEvent = () => new IOException("the store is read-only") }));
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() =>
            edge.Handler.RecordSourceFactAsync(new SourceFactRecorded("api", "edge-1", "put", "{}"), EventMetadata.Empty, Ct));

        Assert.Contains("The registry failed to record the put fact of api on 'edge-1': the store is read-only", error.Message, StringComparison.Ordinal);
        await Poll.UntilAsync(async () => (await broker.ListQueuesAsync(vhost)).GetValueOrDefault(BusQueues.Requests + "_error") == 1,
            "the request in the error queue", Limit, Ct);
        Assert.Equal(0, await _temp.Store.ReadHeadPositionAsync(Ct));
    }

    private static Action<IServiceCollection> Failing(Func<Observation, int, Exception?> failBefore) => services =>
        services.AddKeyedSingleton<IObservationHandler>(BusServiceKeys.Registry, (sp, _) =>
            new ScriptedHandler(sp.GetRequiredService<InstanceRegistry>()) { FailBefore = failBefore });

    private static ScriptedHandler Scripted(BusNode registry) =>
        (ScriptedHandler)registry.Services.GetRequiredKeyedService<IObservationHandler>(BusServiceKeys.Registry);
}
