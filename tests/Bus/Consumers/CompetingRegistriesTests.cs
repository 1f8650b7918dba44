using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Consumers;

/// <summary>Two registries consume the same queue (as two processes would, over one shared store): each observation is decided once.</summary>
public sealed class CompetingRegistriesTests(RabbitMqServer broker) : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-competing-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task TwoRegistries_OnOneQueue_DecideEachObservationOnce()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        var settings = BusSettings.RabbitMq(broker, vhost);
        await using var first = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, Counting);
        await using var second = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store, Counting);
        await first.WaitUntilConnectedAsync();
        await second.WaitUntilConnectedAsync();
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        var ids = Enumerable.Range(1, 40).Select(i => $"docker:c{i:00}").ToArray();

        foreach (var id in ids) await agent.Handler.HandleAsync(Seen(id), Ct);

        // Empty and nothing unacknowledged: every delivery there will be has happened.
        await Poll.UntilAsync(async () => (await broker.ListQueuesAsync(vhost))[BusQueues.Observations] == 0,
            "the queue to drain", Limit, Ct);
        var (a, b) = (Scripted(first), Scripted(second));
        Assert.All(ids, id => Assert.Equal(1, a.CallsFor(id) + b.CallsFor(id)));
        Assert.True(a.TotalCalls > 0 && b.TotalCalls > 0, $"both registries should have taken a share (first {a.TotalCalls}, second {b.TotalCalls})");
        foreach (var id in ids) Assert.IsType<InstanceRegistered>(Assert.Single(await StreamAsync(_temp.Store, id, Ct)).Event);
    }

    private static void Counting(IServiceCollection services) =>
        services.AddKeyedSingleton<IObservationHandler>(BusServiceKeys.Registry, (sp, _) => new ScriptedHandler(sp.GetRequiredService<InstanceRegistry>()));

    private static ScriptedHandler Scripted(BusNode registry) =>
        (ScriptedHandler)registry.Services.GetRequiredKeyedService<IObservationHandler>(BusServiceKeys.Registry);
}
