using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.Bus.Tests.Support;
using Mesh.Tests.Common;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Status;

/// <summary>What <c>/v1/mesh/status</c> will show of the bus: connected or not, where, and the last failure.</summary>
public sealed class BusStatusTests(RabbitMqServer broker)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Current_ConnectedToTheBroker_IsHealthyAndNamesTheBroker()
    {
        var vhost = await broker.CreateVirtualHostAsync();
        await using var registry = await BusNode.StartAsync(BusRole.Registry, BusSettings.RabbitMq(broker, vhost));

        await registry.WaitUntilConnectedAsync();

        var status = registry.Status.Current;
        Assert.Equal(("rabbitmq", $"rabbitmq://{broker.Host}:{broker.Port}/{vhost}", "healthy", null), (status.Transport, status.Address, status.Health, status.LastError));
        Assert.Equal(BusRole.Registry, status.Role);
    }

    [Fact]
    public async Task Agent_BrokerUnreachable_FailsLoudlyAndTheStatusSaysWhy()
    {
        var settings = BusSettings.RabbitMq(broker, "/", requestTimeout: TimeSpan.FromSeconds(1));
        settings["Mesh:Bus:RabbitMq:Port"] = ClosedPort().ToString(CultureInfo.InvariantCulture);
        await using var agent = await BusNode.StartAsync(BusRole.Agent, settings);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => agent.Handler.HandleAsync(Seen("docker:nowhere"), Ct));

        Assert.Contains("did not confirm", error.Message, StringComparison.Ordinal);
        var status = agent.Status.Current;
        Assert.False(status.Connected);
        Assert.Equal(error.Message, status.LastError);
        Assert.NotNull(status.LastErrorAt);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
