using System.Net;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Kv;

public sealed class KvEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Theory]
    [InlineData("GET", "/v1/kv/config/web")]
    [InlineData("PUT", "/v1/kv/config/web")]
    [InlineData("DELETE", "/v1/kv/config?recurse")]
    [InlineData("GET", "/v1/kv/")]
    public async Task AnyKvRequest_Answers404SayingKvIsNotSupported(string method, string path)
    {
        var head = await Mesh.StoreHeadAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("KV store (/v1/kv) is not supported by Mesh", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }
}
