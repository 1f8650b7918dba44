using System.Net;
using System.Net.Sockets;
using Mesh.Registry.Events;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class HealthCheckerTcpTests
{
    [Fact]
    public async Task TcpCheck_ListenerUp_Passing_ThenDown_Critical()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:db-1", HealthTestBed.Tcp("db-1-tcp", target));
        await bed.StartCheckerAsync();

        var up = await bed.UntilHealthChangeAsync("api:db-1", "db-1-tcp", 1);
        listener.Stop();
        var down = await bed.UntilHealthChangeAsync("api:db-1", "db-1-tcp", 2);

        Assert.Equal(HealthStatus.Passing, up.Status);
        Assert.Equal($"TCP connect {target}: Success", up.Output);
        Assert.Equal(HealthStatus.Critical, down.Status);
        Assert.Equal($"TCP connect {target}: Connection refused", down.Output);
    }
}
