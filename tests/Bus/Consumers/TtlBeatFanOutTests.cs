using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.Bus.Clients;
using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mesh.Bus.Tests.Consumers;

/// <summary>
/// TTL beats the Consul API takes on an edge or a registry reach every registry's <see cref="TtlHeartbeats"/> (the
/// health checker runs on whichever leads), published over a real RabbitMQ node; the API never waits or fails for it.
/// </summary>
public sealed class TtlBeatFanOutTests(RabbitMqServer broker) : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-ttl-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Beat_TakenByAnEdge_ReachesTheHeartbeatsOfEveryRegistry()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var first = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var second = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await first.WaitUntilConnectedAsync();
        await second.WaitUntilConnectedAsync();
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);
        var sink = Assert.IsType<BusTtlHeartbeatSink>(edge.Services.GetRequiredService<ITtlHeartbeatSink>());

        sink.Beat("api:web-1", "web-ttl", HealthStatus.Passing);

        // Recorded on the edge at once, and on both registries (not shared out between them) with the edge's time.
        var at = Heartbeats(edge).LastBeat("api:web-1", "web-ttl");
        Assert.NotNull(at);
        await WaitForBeatAsync(first, "api:web-1", "web-ttl", at.Value);
        await WaitForBeatAsync(second, "api:web-1", "web-ttl", at.Value);

        // Every beat, not just the first.
        await Poll.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > at), "the clock to move on", Limit, Ct);
        sink.Beat("api:web-1", "web-ttl", HealthStatus.Warning);
        var later = Heartbeats(edge).LastBeat("api:web-1", "web-ttl");
        Assert.True(later > at, $"{later:O} should be after {at:O}");
        await WaitForBeatAsync(first, "api:web-1", "web-ttl", later!.Value);
        await WaitForBeatAsync(second, "api:web-1", "web-ttl", later.Value);
    }

    [Fact]
    public async Task Beat_TakenByARegistrysApi_ReachesTheOtherRegistry()
    {
        var settings = BusSettings.RabbitMq(broker, await broker.CreateVirtualHostAsync());
        await using var first = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await using var second = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await first.WaitUntilConnectedAsync();
        await second.WaitUntilConnectedAsync();

        first.Services.GetRequiredService<ITtlHeartbeatSink>().Beat("api:web-2", "web-ttl", HealthStatus.Critical);

        var at = Heartbeats(first).LastBeat("api:web-2", "web-ttl");
        Assert.NotNull(at);
        await WaitForBeatAsync(second, "api:web-2", "web-ttl", at.Value);
    }

    [Fact]
    public async Task Beat_BrokerUnreachable_IsRecordedLocallyNeverThrows_AndTheStatusSaysWhy()
    {
        var settings = BusSettings.RabbitMq(broker, "/", requestTimeout: TimeSpan.FromSeconds(1));
        settings["Mesh:Bus:RabbitMq:Port"] = ClosedPort().ToString(CultureInfo.InvariantCulture);
        await using var edge = await BusNode.StartAsync(BusRole.Edge, settings);
        var sink = edge.Services.GetRequiredService<ITtlHeartbeatSink>();

        sink.Beat("api:web-3", "web-ttl", HealthStatus.Passing);

        Assert.NotNull(Heartbeats(edge).LastBeat("api:web-3", "web-ttl"));
        await Poll.UntilAsync(() => Task.FromResult(edge.Status.Current.LastError?.Contains("TTL beat of check 'web-ttl'", StringComparison.Ordinal) == true),
            "the failed publish to show in the bus status", Limit, Ct, () => $" {edge.Status.Current}");
        Assert.False(edge.Status.Current.Connected);
    }

    private static TtlHeartbeats Heartbeats(BusNode node) => node.Services.GetRequiredService<TtlHeartbeats>();

    private static Task WaitForBeatAsync(BusNode registry, string instanceId, string checkId, DateTimeOffset at) => Poll.UntilAsync(
        () => Task.FromResult(Heartbeats(registry).LastBeat(instanceId, checkId) == at), $"the beat of {at:O} to reach the registry", Limit, Ct,
        () => $" Last beat there: {Heartbeats(registry).LastBeat(instanceId, checkId):O}");

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
