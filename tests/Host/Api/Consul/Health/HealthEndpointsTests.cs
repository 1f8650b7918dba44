using System.Net;
using System.Text.Json;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Health;

public sealed class HealthEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Service_HasConsulsShape()
    {
        await Mesh.RegisterAsync("""
            {"Name": "redis", "ID": "redis", "Address": "10.1.10.12", "Port": 8000, "Tags": ["primary"],
             "Meta": {"redis_version": "4.0"}, "Check": {"TTL": "30s", "Status": "passing"}}
            """);

        var (entries, index) = await Mesh.GetWithIndexAsync("/v1/health/service/redis");

        var sample = ConsulShape.Parse(ConsulSamples.HealthService)[0];
        var entry = Assert.Single(entries.EnumerateArray());
        ConsulShape.AssertHasFieldsOf(sample, entry);
        ConsulShape.AssertHasFieldsOf(sample.GetProperty("Node"), entry.GetProperty("Node"), "$.Node");
        ConsulShape.AssertHasFieldsOf(sample.GetProperty("Service"), entry.GetProperty("Service"), "$.Service");
        var checks = entry.GetProperty("Checks").EnumerateArray().ToArray();
        ConsulShape.AssertHasFieldsOf(sample.GetProperty("Checks")[0], checks[0], "$.Checks[0]");
        Assert.Equal(["service:redis", "serfHealth"], checks.Select(c => c.GetProperty("CheckID").GetString()));
        Assert.Equal("Service 'redis' check", checks[0].GetProperty("Name").GetString());
        Assert.Equal("passing", checks[0].GetProperty("Status").GetString());
        Assert.Equal("redis", checks[0].GetProperty("ServiceID").GetString());
        Assert.Equal("redis", entry.GetProperty("Service").GetProperty("ID").GetString());
        Assert.Equal("10.1.10.12", entry.GetProperty("Service").GetProperty("Address").GetString());
        Assert.Equal("test-node", entry.GetProperty("Node").GetProperty("Node").GetString());
        Assert.Equal(Mesh.Feed.Current.ServicePosition("redis"), index);
    }

    [Fact]
    public async Task Service_Passing_LeavesOutCriticalAndWarningInstances()
    {
        await Mesh.RegisterAsync("""{"Name": "mixed", "ID": "mixed-ok", "Check": {"TTL": "30s", "Status": "passing"}}""");
        await Mesh.RegisterAsync("""{"Name": "mixed", "ID": "mixed-new", "Check": {"TTL": "30s"}}""");
        await Mesh.RegisterAsync("""{"Name": "mixed", "ID": "mixed-warn", "Check": {"TTL": "30s", "Status": "warning"}}""");
        await Mesh.RegisterAsync("""{"Name": "mixed", "ID": "mixed-nocheck"}""");

        Assert.Equal(["mixed-new", "mixed-nocheck", "mixed-ok", "mixed-warn"], await ServiceIdsAsync("/v1/health/service/mixed"));
        Assert.Equal(["mixed-nocheck", "mixed-ok"], await ServiceIdsAsync("/v1/health/service/mixed?passing"));
        Assert.Equal(["mixed-nocheck", "mixed-ok"], await ServiceIdsAsync("/v1/health/service/mixed?passing=true"));
        Assert.Equal(["mixed-nocheck", "mixed-ok"], await ServiceIdsAsync("/v1/health/service/mixed?passing=1"));
        Assert.Equal(4, (await ServiceIdsAsync("/v1/health/service/mixed?passing=false")).Length);
    }

    [Fact]
    public async Task Service_Tags_AllMustMatch()
    {
        await Mesh.RegisterAsync("""{"Name": "tags", "ID": "tags-1", "Tags": ["v1", "eu"]}""");
        await Mesh.RegisterAsync("""{"Name": "tags", "ID": "tags-2", "Tags": ["v2", "eu"]}""");
        await Mesh.RegisterAsync("""{"Name": "tags", "ID": "tags-3", "Tags": ["v1"]}""");

        Assert.Equal(["tags-1", "tags-3"], await ServiceIdsAsync("/v1/health/service/tags?tag=v1"));
        Assert.Equal(["tags-1"], await ServiceIdsAsync("/v1/health/service/tags?tag=v1&tag=eu"));
        Assert.Empty(await ServiceIdsAsync("/v1/health/service/tags?tag=v1&tag=v2"));
    }

    [Fact]
    public async Task Service_BadPassingValue_Answers400()
    {
        using var response = await Mesh.Http.GetAsync("/v1/health/service/any?passing=perhaps", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task State_FiltersChecksByStatus()
    {
        await Mesh.RegisterAsync("""{"Name": "state-a", "Check": {"CheckID": "state-a-check", "TTL": "30s", "Status": "passing"}}""");
        await Mesh.RegisterAsync("""{"Name": "state-b", "Check": {"CheckID": "state-b-check", "TTL": "30s"}}""");
        await Mesh.RegisterAsync("""{"Name": "state-c", "Check": {"CheckID": "state-c-check", "TTL": "30s", "Status": "warning"}}""");

        var (critical, index) = await Mesh.GetWithIndexAsync("/v1/health/state/critical");
        var passing = await CheckIdsAsync("/v1/health/state/passing");
        var warning = await CheckIdsAsync("/v1/health/state/warning");
        var any = await CheckIdsAsync("/v1/health/state/any");

        Assert.Contains("state-b-check", Ids(critical));
        Assert.DoesNotContain("state-a-check", Ids(critical));
        Assert.All(critical.EnumerateArray(), c => Assert.Equal("critical", c.GetProperty("Status").GetString()));
        Assert.Contains("state-a-check", passing);
        Assert.Contains("serfHealth", passing);
        Assert.Equal(["state-c-check"], warning.Where(id => id.StartsWith("state-", StringComparison.Ordinal)));
        Assert.Superset(new HashSet<string>(["state-a-check", "state-b-check", "state-c-check", "serfHealth"]), new HashSet<string>(any));
        Assert.Equal(Mesh.Feed.Current.HealthPosition, index);
    }

    [Fact]
    public async Task State_Unknown_Answers400()
    {
        using var response = await Mesh.Http.GetAsync("/v1/health/state/sickly", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unsupported state 'sickly'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Checks_ListsTheServicesChecks()
    {
        await Mesh.RegisterAsync("""{"Name": "svc-checks", "Checks": [{"TTL": "30s"}, {"TTL": "30s", "Status": "passing"}]}""");

        Assert.Equal(["service:svc-checks:1", "service:svc-checks:2"], await CheckIdsAsync("/v1/health/checks/svc-checks"));
    }

    private async Task<string[]> ServiceIdsAsync(string path) =>
        [.. (await Mesh.GetJsonAsync(path)).EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()!).Order()];

    private async Task<string[]> CheckIdsAsync(string path) => Ids(await Mesh.GetJsonAsync(path));

    private static string[] Ids(JsonElement checks) => [.. checks.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()!)];
}
