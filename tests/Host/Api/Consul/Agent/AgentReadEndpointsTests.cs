using System.Net;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Agent;

public sealed class AgentReadEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Services_HasConsulsShape()
    {
        await Mesh.RegisterAsync("""{"Name": "redis", "ID": "redis1", "Address": "10.2.0.1", "Port": 8000, "Tags": ["primary"], "Meta": {"redis_version": "4.0"}}""");

        var services = await Mesh.GetJsonAsync("/v1/agent/services");

        var sample = ConsulShape.Parse(ConsulSamples.AgentServices).GetProperty("redis");
        var redis = services.GetProperty("redis1");
        ConsulShape.AssertHasFieldsOf(sample, redis);
        Assert.Equal("redis1", redis.GetProperty("ID").GetString());
        Assert.Equal("redis", redis.GetProperty("Service").GetString());
        Assert.Equal("10.2.0.1", redis.GetProperty("Address").GetString());
        Assert.Equal(8000, redis.GetProperty("Port").GetInt32());
        Assert.Equal("primary", Assert.Single(redis.GetProperty("Tags").EnumerateArray()).GetString());
        Assert.Equal("4.0", redis.GetProperty("Meta").GetProperty("redis_version").GetString());
        Assert.Equal("dc1", redis.GetProperty("Datacenter").GetString());
    }

    [Fact]
    public async Task Services_ListsEverySourcesInstances_OthersByTheirFullInstanceId()
    {
        await Mesh.RegisterAsync("""{"Name": "mixed", "ID": "mixed-api"}""");
        await Mesh.SeeDockerInstanceAsync("docker:0123abcd", "mixed");

        var services = await Mesh.GetJsonAsync("/v1/agent/services");

        Assert.Equal("mixed-api", services.GetProperty("mixed-api").GetProperty("ID").GetString());
        Assert.Equal("docker:0123abcd", services.GetProperty("docker:0123abcd").GetProperty("ID").GetString());
    }

    [Fact]
    public async Task Service_ById_AnswersItWithAContentHash()
    {
        await Mesh.RegisterAsync("""{"Name": "by-id", "ID": "by-id-1", "Port": 1234}""");

        using var response = await Mesh.Http.GetAsync("/v1/agent/service/by-id-1", TestContext.Current.CancellationToken);
        var (service, _) = await MeshHost.ReadWithIndexAsync(response);

        Assert.Equal(1234, service.GetProperty("Port").GetInt32());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Consul-ContentHash").Single()));
    }

    [Fact]
    public async Task Service_UnknownId_Answers404()
    {
        using var response = await Mesh.Http.GetAsync("/v1/agent/service/nobody", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Unknown service ID 'nobody'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Checks_ListsChecksByCheckId()
    {
        await Mesh.RegisterAsync("""{"Name": "agent-checks", "Check": {"TTL": "30s", "Status": "warning"}}""");

        var checks = await Mesh.GetJsonAsync("/v1/agent/checks");

        var check = checks.GetProperty("service:agent-checks");
        Assert.Equal("warning", check.GetProperty("Status").GetString());
        Assert.Equal("agent-checks", check.GetProperty("ServiceID").GetString());
    }

    [Fact]
    public async Task Self_NamesTheNodeAndDatacenter()
    {
        var self = await Mesh.GetJsonAsync("/v1/agent/self");

        Assert.Equal("test-node", self.GetProperty("Config").GetProperty("NodeName").GetString());
        Assert.Equal("dc1", self.GetProperty("Config").GetProperty("Datacenter").GetString());
        Assert.Equal("test-node", self.GetProperty("Member").GetProperty("Name").GetString());
    }
}
