using System.Net;
using System.Text.Json;
using Mesh.Host.Tests.Api.Consul.Auth;
using Mesh.Host.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Api.Mesh;

/// <summary>PUT /v1/mesh/env/{name} and GET /v1/mesh/env on one Mesh; each test uses its own environment names.</summary>
public sealed class EnvironmentEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_NewEnvironment_IsListedByTheNextRead()
    {
        using var response = await Mesh.PutAsync("/v1/mesh/env/define-new", """{"Fallback":"staging"}""");

        var (answer, _) = await MeshHost.ReadWithIndexAsync(response);
        Assert.Equal(("staging", true), (answer.GetProperty("Fallback").GetString(), answer.GetProperty("Defined").GetBoolean()));
        var listed = await EnvironmentAsync("define-new");
        Assert.Equal(("staging", true, 0), (listed.GetProperty("Fallback").GetString(), listed.GetProperty("Defined").GetBoolean(), listed.GetProperty("InstanceCount").GetInt32()));
    }

    [Theory]
    [InlineData("no-body", null)]
    [InlineData("empty-body", "")]
    [InlineData("empty-object", "{}")]
    [InlineData("null-fallback", """{"Fallback":null}""")]
    public async Task Put_WithoutFallback_FallsBackToIntegration(string name, string? body)
    {
        await Mesh.PutOkAsync($"/v1/mesh/env/{name}", body);

        Assert.Equal("integration", (await EnvironmentAsync(name)).GetProperty("Fallback").GetString());
    }

    [Fact]
    public async Task Put_FallbackFieldInAnyCase_IsRead()
    {
        await Mesh.PutOkAsync("/v1/mesh/env/lower-case-field", """{"fallback":"staging"}""");

        Assert.Equal("staging", (await EnvironmentAsync("lower-case-field")).GetProperty("Fallback").GetString());
    }

    [Fact]
    public async Task Put_SameDefinitionAgain_AppendsNothing()
    {
        await Mesh.PutOkAsync("/v1/mesh/env/define-twice", """{"Fallback":"staging"}""");
        var head = await Mesh.StoreHeadAsync();

        await Mesh.PutOkAsync("/v1/mesh/env/define-twice", """{"Fallback":"staging"}""");

        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Put_OtherFallback_Redefines()
    {
        await Mesh.PutOkAsync("/v1/mesh/env/redefine", """{"Fallback":"staging"}""");

        await Mesh.PutOkAsync("/v1/mesh/env/redefine", """{"Fallback":"qa"}""");

        Assert.Equal("qa", (await EnvironmentAsync("redefine")).GetProperty("Fallback").GetString());
    }

    [Theory]
    [InlineData("Bad_Name", """{"Fallback":"bad fallback"}""", "environment 'Bad_Name' is not a DNS label", "fallback environment 'bad fallback' is not a DNS label")]
    [InlineData("service", "{}", "environment name 'service' is reserved", null)]
    [InlineData("node", """{"Fallback":"test"}""", "environment name 'node' is reserved", "fallback environment 'test' is a reserved name")]
    [InlineData("test", "{}", "environment name 'test' is reserved", null)]
    [InlineData("loop", """{"Fallback":"loop"}""", "environment 'loop' cannot fall back to itself", null)]
    [InlineData("integration", """{"Fallback":"staging"}""", "environment 'integration' is the root environment", null)]
    [InlineData("bad-json", """{"Fallback":""", "body is not JSON", null)]
    [InlineData("bad-type", """{"Fallback":7}""", "Fallback must be a string", null)]
    [InlineData("bad-shape", """["staging"]""", "body must be a JSON object", null)]
    public async Task Put_Invalid_Answers400WithEveryProblemAndAppendsNothing(string name, string body, string problem, string? another)
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync($"/v1/mesh/env/{name}", body);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, text, StringComparison.Ordinal);
        if (another is not null) Assert.Contains(another, text, StringComparison.Ordinal);
        Assert.Equal(head, await Mesh.StoreHeadAsync());
        Assert.DoesNotContain((await Mesh.GetJsonAsync("/v1/mesh/env")).EnumerateArray(), e => e.GetProperty("Name").GetString() == name && name != "integration");
    }

    [Fact]
    public async Task Get_ListsEnvironmentsOfRegisteredInstancesAndIntegration()
    {
        await Mesh.RegisterAsync("""{"ID":"listed-1","Name":"listed-web","Port":8080,"Meta":{"mesh-env":"listed-env"}}""");
        await Mesh.RegisterAsync("""{"ID":"listed-2","Name":"listed-api","Port":8081,"Meta":{"mesh-env":"listed-env"}}""");
        await Mesh.RegisterAsync("""{"ID":"listed-3","Name":"listed-web","Port":8082}""");

        var env = await EnvironmentAsync("listed-env");
        var integration = await EnvironmentAsync("integration");

        Assert.Equal(("integration", false, 2), (env.GetProperty("Fallback").GetString(), env.GetProperty("Defined").GetBoolean(), env.GetProperty("InstanceCount").GetInt32()));
        Assert.Equal(["listed-api", "listed-web"], env.GetProperty("Services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, integration.GetProperty("Fallback").ValueKind);
        Assert.Contains("listed-web", integration.GetProperty("Services").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Get_EnvironmentWhoseLastInstanceLeft_IsNoLongerListed()
    {
        await Mesh.RegisterAsync("""{"ID":"leaving-1","Name":"leaving-web","Port":8080,"Meta":{"mesh-env":"leaving-env"}}""");
        await EnvironmentAsync("leaving-env");

        await Mesh.PutOkAsync("/v1/agent/service/deregister/leaving-1");

        Assert.DoesNotContain((await Mesh.GetJsonAsync("/v1/mesh/env")).EnumerateArray(), e => e.GetProperty("Name").GetString() == "leaving-env");
    }

    private async Task<JsonElement> EnvironmentAsync(string name)
    {
        var all = await Mesh.GetJsonAsync("/v1/mesh/env");
        return Assert.Single(all.EnumerateArray(), e => e.GetProperty("Name").GetString() == name);
    }
}

/// <summary>The environment endpoints behind the API token.</summary>
public sealed class EnvironmentEndpointsTokenTests(TokenMeshHostFixture fixture) : IClassFixture<TokenMeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Theory]
    [InlineData("PUT")]
    [InlineData("GET")]
    public async Task Request_WithoutToken_Answers403AndAppendsNothing(string method)
    {
        var head = await Mesh.StoreHeadAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), method == "PUT" ? "/v1/mesh/env/token-less" : "/v1/mesh/env");

        using var response = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Put_WithToken_Defines()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/mesh/env/with-token");
        request.Headers.Add("X-Mesh-Token", TokenMeshHostFixture.Token);

        using var response = await Mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
