using System.Net;
using Mesh.Registry.Events;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Agent;

public sealed class ServiceEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Register_ThenRead_InstanceIsThereAtOnce()
    {
        await Mesh.RegisterAsync("""{"Name": "reg-read", "ID": "reg-read-1", "Address": "10.1.0.1", "Port": 8080, "Tags": ["v1"]}""");

        var instance = Mesh.Feed.Current.Instances["api:reg-read-1"];
        Assert.Equal("reg-read", instance.Registration!.Service);
        var entries = await Mesh.GetJsonAsync("/v1/catalog/service/reg-read");
        Assert.Equal("reg-read-1", Assert.Single(entries.EnumerateArray()).GetProperty("ServiceID").GetString());
    }

    [Fact]
    public async Task Register_SameDefinitionAgain_AppendsNothing()
    {
        const string body = """{"Name": "reg-same", "Port": 81, "Tags": ["a", "b"], "Meta": {"k": "v"}, "Check": {"TTL": "30s", "Status": "passing"}}""";
        await Mesh.RegisterAsync(body);
        var head = await Mesh.StoreHeadAsync();

        await Mesh.RegisterAsync(body);

        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Register_ChangedDefinition_RecordsIt()
    {
        await Mesh.RegisterAsync("""{"Name": "reg-change", "Port": 81}""");
        var head = await Mesh.StoreHeadAsync();

        await Mesh.RegisterAsync("""{"Name": "reg-change", "Port": 82}""");

        Assert.True(await Mesh.StoreHeadAsync() > head);
        Assert.Equal(82, Mesh.Feed.Current.Instances["api:reg-change"].Registration!.Port);
    }

    [Theory]
    [InlineData("", "the request body is empty")]
    [InlineData("{\"Name\": \"bad-json\",", "not valid JSON")]
    [InlineData("""{"Port": 80}""", "service name is required")]
    [InlineData("""{"Name": "bad-port", "Port": 70000}""", "port 70000 is outside 0-65535")]
    [InlineData("""{"Name": "bad-port", "Port": "http"}""", "Port must be an integer")]
    [InlineData("""{"Name": "bad-duration", "Check": {"HTTP": "http://127.0.0.1:1/h", "Interval": "10x"}}""", "Check.Interval '10x' is not a duration")]
    [InlineData("""{"Name": "Bad.Name"}""", "service name 'Bad.Name' is not a DNS label")]
    [InlineData("""{"Name": "script", "Check": {"Args": ["/usr/local/bin/check_redis.py"], "Interval": "10s"}}""", "script checks are not supported by Mesh")]
    public async Task Register_BadInput_Answers400WithTheProblemAndAppendsNothing(string body, string problem)
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/service/register", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Register_SeveralProblems_Answers400ListingEveryOne()
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/service/register",
            """{"Name": "Bad_Name", "Port": 70000, "Check": {"TTL": "soon"}, "Meta": {"mesh-env": "Env!"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("'Bad_Name' is not a DNS label", message);
        Assert.Contains("port 70000", message);
        Assert.Contains("Check.TTL 'soon'", message);
        Assert.Contains("environment 'Env!'", message);
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Register_WithoutIdOrAddress_IdIsNameAndAddressIsTheNodes()
    {
        await Mesh.RegisterAsync("""{"Name": "reg-defaults", "Port": 9000}""");

        var service = await Mesh.GetJsonAsync("/v1/agent/service/reg-defaults");
        Assert.Equal("reg-defaults", service.GetProperty("ID").GetString());
        Assert.Equal("127.0.0.1", service.GetProperty("Address").GetString());
    }

    [Fact]
    public async Task Register_MeshMeta_SetsEnvironmentVersionAndRoutes()
    {
        await Mesh.RegisterAsync("""
            {"Name": "reg-meta", "Port": 80, "Meta": {"mesh-env": "feature-x", "mesh-version": "1.2.3",
                                                      "mesh-route-host": "shop.example.com", "mesh-route-path": "/cart"}}
            """);

        var registration = Mesh.Feed.Current.Instances["api:reg-meta"].Registration!;
        Assert.Equal("feature-x", registration.Env);
        Assert.Equal("1.2.3", registration.Version);
        Assert.Equal([new RouteSpec("shop.example.com", "/cart")], registration.Routes);
        Assert.Equal("api", registration.Source);
    }

    [Fact]
    public async Task Register_CheckWithoutStatus_StartsCritical_AndWithStatus_StartsThere()
    {
        await Mesh.RegisterAsync("""{"Name": "reg-checks", "Checks": [{"TTL": "30s"}, {"TTL": "30s", "Status": "warning"}]}""");

        var checks = Mesh.Feed.Current.Instances["api:reg-checks"].Checks;
        Assert.Equal(HealthStatus.Critical, checks["service:reg-checks:1"].Status);
        Assert.Equal(HealthStatus.Warning, checks["service:reg-checks:2"].Status);
    }

    [Fact]
    public async Task Register_IdOfAnotherSourcesInstance_Answers400()
    {
        await Mesh.SeeDockerInstanceAsync("docker:cafe01", "reg-docker");
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/service/register", """{"Name": "reg-docker", "ID": "docker:cafe01"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("registered by 'docker'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Register_CheckIdOfAnotherService_Answers400()
    {
        await Mesh.RegisterAsync("""{"Name": "reg-owner", "Check": {"CheckID": "shared-check", "TTL": "30s"}}""");

        using var response = await Mesh.PutAsync("/v1/agent/service/register", """{"Name": "reg-thief", "Check": {"CheckID": "shared-check", "TTL": "30s"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("CheckID 'shared-check' already belongs to service 'reg-owner'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Deregister_Registered_RemovesIt()
    {
        await Mesh.RegisterAsync("""{"Name": "dereg", "ID": "dereg-1"}""");

        await Mesh.PutOkAsync("/v1/agent/service/deregister/dereg-1");

        Assert.False(Mesh.Feed.Current.Instances.ContainsKey("api:dereg-1"));
        Assert.Equal(0, (await Mesh.GetJsonAsync("/v1/catalog/service/dereg")).GetArrayLength());
    }

    [Fact]
    public async Task Deregister_UnknownId_Answers404AndAppendsNothing()
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/service/deregister/no-such-service");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Unknown service ID 'no-such-service'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Deregister_OtherSourcesInstance_ByItsFullInstanceId_RemovesIt()
    {
        await Mesh.SeeDockerInstanceAsync("docker:dead02", "dereg-docker");

        await Mesh.PutOkAsync("/v1/agent/service/deregister/docker:dead02");

        Assert.False(Mesh.Feed.Current.Instances.ContainsKey("docker:dead02"));
    }

    [Fact]
    public async Task Maintenance_Enable_AddsCriticalMaintenanceCheck_Disable_RemovesIt()
    {
        await Mesh.RegisterAsync("""{"Name": "maint", "ID": "maint-1"}""");

        await Mesh.PutOkAsync("/v1/agent/service/maintenance/maint-1?enable=true&reason=upgrading");

        var entry = Assert.Single((await Mesh.GetJsonAsync("/v1/health/service/maint")).EnumerateArray());
        var check = entry.GetProperty("Checks").EnumerateArray().Single(c => c.GetProperty("CheckID").GetString() == "_service_maintenance:maint-1");
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("upgrading", check.GetProperty("Notes").GetString());
        Assert.Equal(0, (await Mesh.GetJsonAsync("/v1/health/service/maint?passing")).GetArrayLength());

        await Mesh.PutOkAsync("/v1/agent/service/maintenance/maint-1?enable=false");

        Assert.Equal(1, (await Mesh.GetJsonAsync("/v1/health/service/maint?passing")).GetArrayLength());
    }

    [Theory]
    [InlineData("/v1/agent/service/maintenance/maint-bad", HttpStatusCode.BadRequest, "Missing value for enable")]
    [InlineData("/v1/agent/service/maintenance/maint-bad?enable=maybe", HttpStatusCode.BadRequest, "Invalid value for enable")]
    [InlineData("/v1/agent/service/maintenance/no-such-service?enable=true", HttpStatusCode.NotFound, "Unknown service ID 'no-such-service'")]
    public async Task Maintenance_BadRequest_Answers4xxAndAppendsNothing(string path, HttpStatusCode status, string message)
    {
        await Mesh.RegisterAsync("""{"Name": "maint-bad"}""");
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }
}
