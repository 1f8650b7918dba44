using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Auth;

/// <summary>One Mesh with <c>Mesh:Api:Token</c> set.</summary>
public sealed class TokenMeshHostFixture : IAsyncLifetime
{
    public const string Token = "s3cret-token";
    private MeshHost? _host;

    internal MeshHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() => _host = await MeshHost.StartAsync(Token);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

public sealed class TokenMiddlewareTests(TokenMeshHostFixture fixture) : IClassFixture<TokenMeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Register_WithoutToken_Answers403AndAppendsNothing()
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/service/register", """{"Name": "no-token"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Permission denied", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Register_WithWrongToken_Answers403()
    {
        using var request = Register("wrong-token");
        request.Headers.Add("X-Mesh-Token", "not-it");

        using var response = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("X-Mesh-Token")]
    [InlineData("X-Consul-Token")]
    [InlineData("Bearer")]
    [InlineData("query")]
    public async Task Register_WithTokenInAnyAcceptedPlace_Succeeds(string where)
    {
        var service = $"tok-{where.ToLowerInvariant()}";
        using var request = Register(service, where == "query" ? $"?token={TokenMeshHostFixture.Token}" : "");
        if (where == "Bearer") request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenMeshHostFixture.Token);
        else if (where != "query") request.Headers.Add(where, TokenMeshHostFixture.Token);

        using var response = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Mesh.Feed.Current.Instances.ContainsKey($"api:{service}"));
    }

    [Theory]
    [InlineData("/v1/agent/self")]
    [InlineData("/v1/agent/self/")]
    [InlineData("/V1/Agent/Self")]
    [InlineData("/v1/mesh/status")]
    public async Task AdminRead_NeedsTheToken(string path)
    {
        using var without = await Mesh.Http.GetAsync(path, TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Consul-Token", TokenMeshHostFixture.Token);
        using var with = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Theory]
    [InlineData("/v1/catalog/services")]
    [InlineData("/v1/catalog/service/web")]
    [InlineData("/v1/health/service/web?passing")]
    [InlineData("/v1/health/state/any")]
    [InlineData("/v1/agent/services")]
    [InlineData("/v1/status/leader")]
    public async Task DiscoveryRead_StaysOpen(string path)
    {
        using var response = await Mesh.Http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Register(string service, string query = "") =>
        new(HttpMethod.Put, "/v1/agent/service/register" + query)
        {
            Content = new StringContent($$"""{"Name": "{{service}}"}""", Encoding.UTF8, "application/json"),
        };
}
