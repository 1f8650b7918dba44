using System.Text.Json;
using Mesh.Host.Tests.Common;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Api.Mesh;

/// <summary><c>/v1/mesh/status</c> shows the gateway: where it listens, its position, and route conflicts.</summary>
public sealed class GatewayStatusEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoServicesClaimingOneHost_TheConflictIsInTheStatus_AndTheEarlierKeepsIt()
    {
        await using var mesh = await MeshHost.StartAsync();
        await mesh.RegisterAsync("""{"ID":"old-1","Name":"old","Address":"127.0.0.1","Port":9001,"Meta":{"mesh-route-host":"shop.example.com"}}""");
        await mesh.RegisterAsync("""{"ID":"new-1","Name":"new","Address":"127.0.0.1","Port":9002,"Meta":{"mesh-route-host":"shop.example.com"}}""");

        JsonElement status = default;
        var head = await mesh.StoreHeadAsync();
        await Poll.UntilAsync(async () =>
        {
            status = await mesh.GetJsonAsync("/v1/mesh/status");
            return status.GetProperty("Gateway").GetProperty("Position").GetInt64() >= head;
        }, "the gateway at the store head", TimeSpan.FromSeconds(10), Ct);

        var gateway = status.GetProperty("Gateway");
        Assert.StartsWith("http://127.0.0.1:", gateway.GetProperty("Listening")[0].GetString());
        var conflict = Assert.Single(gateway.GetProperty("Conflicts").EnumerateArray());
        Assert.Equal("shop.example.com", conflict.GetProperty("Host").GetString());
        Assert.Equal("old", conflict.GetProperty("KeptBy").GetString());
        Assert.Equal("new", conflict.GetProperty("RefusedFor").GetString());
        Assert.Equal(0, status.GetProperty("Consumers").GetProperty("gateway").GetProperty("Lag").GetInt64());
    }
}
