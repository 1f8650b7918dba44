using Mesh.Bus.Tests.Support;
using Mesh.Registry.Events;
using Mesh.Tests.Common;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests;

/// <summary>A broker restart loses nothing that was confirmed, and agents and registries reconnect by themselves.</summary>
public sealed class BrokerRestartTests : IClassFixture<BrokerRestartTests.OwnNode>, IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly TempStore _temp = TempStore.Create("mesh-bus-restart-");
    private readonly RabbitMqServer _broker;

    public BrokerRestartTests(OwnNode node) => _broker = node.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Observations_ConfirmedBeforeARestart_AreDecidedAfterIt()
    {
        var settings = BusSettings.RabbitMq(_broker, await _broker.CreateVirtualHostAsync(), requestTimeout: TimeSpan.FromSeconds(2));
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);
        await agent.Handler.HandleAsync(Seen("docker:before"), Ct);

        await agent.WaitUntilConnectedAsync();
        await _broker.StopAsync();
        await Poll.UntilAsync(() => Task.FromResult(!agent.Status.Current.Connected), "the agent to notice", Limit, Ct, () => $" {agent.Status.Current}");
        await _broker.StartAsync();

        await using var registry = await BusNode.StartAsync(BusRole.Registry, settings, _temp.Store);
        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:before", Ct)).Count == 1, "the queued observation", Limit, Ct);

        // The agent reconnected on its own: what it sends now is decided too.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await agent.Handler.HandleAsync(Seen("docker:after"), Ct);
                return true;
            }
            catch (RegistryUnavailableException)
            {
                return false;
            }
        }, "the agent to send again", Limit, Ct);
        await Poll.UntilAsync(async () => (await StreamAsync(_temp.Store, "docker:after", Ct)).Count == 1, "the new observation", Limit, Ct);
        Assert.IsType<InstanceRegistered>(Assert.Single(await StreamAsync(_temp.Store, "docker:before", Ct)).Event);
    }

    /// <summary>A node of this class's own: stopping the shared one would fail the tests running beside it.</summary>
    public sealed class OwnNode : IAsyncLifetime
    {
        public RabbitMqServer Server { get; } = new();

        public ValueTask InitializeAsync() => Server.InitializeAsync();

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
