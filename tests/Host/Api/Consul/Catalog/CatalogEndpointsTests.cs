using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Catalog;

public sealed class CatalogEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task Service_HasConsulsShape()
    {
        await Mesh.RegisterAsync("""{"Name": "web", "ID": "web-a", "Address": "172.17.0.3", "Port": 5000, "Tags": ["prod"], "Meta": {"web_meta_value": "baz"}}""");

        var (entries, index) = await Mesh.GetWithIndexAsync("/v1/catalog/service/web");

        var entry = Assert.Single(entries.EnumerateArray());
        ConsulShape.AssertHasFieldsOf(ConsulShape.Parse(ConsulSamples.CatalogService)[0], entry);
        Assert.Equal("test-node", entry.GetProperty("Node").GetString());
        Assert.Equal("web-a", entry.GetProperty("ServiceID").GetString());
        Assert.Equal("web", entry.GetProperty("ServiceName").GetString());
        Assert.Equal("172.17.0.3", entry.GetProperty("ServiceAddress").GetString());
        Assert.Equal(5000, entry.GetProperty("ServicePort").GetInt32());
        Assert.Equal("prod", Assert.Single(entry.GetProperty("ServiceTags").EnumerateArray()).GetString());
        Assert.Equal("baz", entry.GetProperty("ServiceMeta").GetProperty("web_meta_value").GetString());
        var instance = Mesh.Feed.Current.Instances["api:web-a"];
        Assert.Equal(instance.CreatePosition, entry.GetProperty("CreateIndex").GetInt64());
        Assert.Equal(instance.ModifyPosition, entry.GetProperty("ModifyIndex").GetInt64());
        Assert.Equal(Mesh.Feed.Current.ServicePosition("web"), index);
    }

    [Fact]
    public async Task Services_MapsEachServiceToTheUnionOfItsTags()
    {
        await Mesh.RegisterAsync("""{"Name": "postgresql", "ID": "pg-1", "Tags": ["primary"]}""");
        await Mesh.RegisterAsync("""{"Name": "postgresql", "ID": "pg-2", "Tags": ["secondary", "primary"]}""");
        await Mesh.RegisterAsync("""{"Name": "redis", "ID": "redis-x"}""");

        var (services, index) = await Mesh.GetWithIndexAsync("/v1/catalog/services");

        Assert.Equal(Mesh.Feed.Current.CatalogPosition, index);
        var sample = ConsulShape.Parse(ConsulSamples.CatalogServices);
        Assert.Equal(sample.GetProperty("postgresql").ValueKind, services.GetProperty("postgresql").ValueKind);
        Assert.Equal(["primary", "secondary"], services.GetProperty("postgresql").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(0, services.GetProperty("redis").GetArrayLength());
    }

    [Fact]
    public async Task Services_LeavesOutAServiceWhoseLastInstanceWent()
    {
        await Mesh.RegisterAsync("""{"Name": "gone-soon"}""");
        await Mesh.PutOkAsync("/v1/agent/service/deregister/gone-soon");

        var services = await Mesh.GetJsonAsync("/v1/catalog/services");

        Assert.False(services.TryGetProperty("gone-soon", out _));
    }

    [Fact]
    public async Task Service_TagFilter_KeepsInstancesWithEveryTag()
    {
        await Mesh.RegisterAsync("""{"Name": "tagged", "ID": "tagged-1", "Tags": ["v1", "eu"]}""");
        await Mesh.RegisterAsync("""{"Name": "tagged", "ID": "tagged-2", "Tags": ["v2", "eu"]}""");

        var eu = await Mesh.GetJsonAsync("/v1/catalog/service/tagged?tag=eu");
        var v1Eu = await Mesh.GetJsonAsync("/v1/catalog/service/tagged?tag=v1&tag=EU");

        Assert.Equal(2, eu.GetArrayLength());
        Assert.Equal("tagged-1", Assert.Single(v1Eu.EnumerateArray()).GetProperty("ServiceID").GetString());
    }

    [Fact]
    public async Task Service_Unknown_IsAnEmptyListWithIndexOne()
    {
        var (entries, index) = await Mesh.GetWithIndexAsync("/v1/catalog/service/never-registered");

        Assert.Equal(0, entries.GetArrayLength());
        Assert.Equal(1, index);
    }
}
