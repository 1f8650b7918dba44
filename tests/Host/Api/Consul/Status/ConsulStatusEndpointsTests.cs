using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Status;

public sealed class ConsulStatusEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Leader_IsTheApisOwnAddressAsAJsonString()
    {
        var leader = await Mesh.GetJsonAsync("/v1/status/leader");

        Assert.Equal($"127.0.0.1:{Mesh.Http.BaseAddress!.Port}", leader.GetString());
    }

    [Fact]
    public async Task Peers_IsTheLeaderAlone()
    {
        var peers = await Mesh.GetJsonAsync("/v1/status/peers");

        Assert.Equal($"127.0.0.1:{Mesh.Http.BaseAddress!.Port}", Assert.Single(peers.EnumerateArray()).GetString());
    }
}
