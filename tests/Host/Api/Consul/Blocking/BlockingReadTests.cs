using System.Net;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Blocking;

public sealed class BlockingReadTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task HealthService_ReturnsWhenThatServiceChanges()
    {
        await Mesh.RegisterAsync("""{"Name": "block-a", "Check": {"TTL": "30s", "Status": "passing"}}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/health/service/block-a");

        var blocked = Mesh.Http.GetAsync($"/v1/health/service/block-a?index={index}&wait=30s", TestContext.Current.CancellationToken);
        await Mesh.PutOkAsync("/v1/agent/check/fail/service:block-a?note=down");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (entries, newIndex) = await MeshHost.ReadWithIndexAsync(response);
        Assert.True(newIndex > index);
        Assert.Equal(Mesh.Feed.Current.ServicePosition("block-a"), newIndex);
        var check = entries[0].GetProperty("Checks")[0];
        Assert.Equal("critical", check.GetProperty("Status").GetString());
    }

    [Fact]
    public async Task HealthService_StaysBlockedWhenAnotherServiceChanges_ReturnsWhenItsOwnDoes()
    {
        await Mesh.RegisterAsync("""{"Name": "block-mine", "Port": 1}""");
        await Mesh.RegisterAsync("""{"Name": "block-other", "Port": 1}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/health/service/block-mine");

        var blocked = Mesh.Http.GetAsync($"/v1/health/service/block-mine?index={index}&wait=30s", TestContext.Current.CancellationToken);
        var before = Mesh.Feed.Current.Position;
        await Mesh.RegisterAsync("""{"Name": "block-other", "Port": 2}""");
        await Mesh.RegisterAsync("""{"Name": "block-third", "Port": 2}""");

        // The other changes are in the feed (the register call waited for that), and read back over HTTP, so the
        // blocked reader has been woken by them and has gone back to waiting.
        Assert.True(Mesh.Feed.Current.Position >= before + 2);
        var (_, otherIndex) = await Mesh.GetWithIndexAsync("/v1/health/service/block-other");
        Assert.True(otherIndex > index);
        Assert.False(blocked.IsCompleted, "a change to another service answered the blocking query");

        await Mesh.RegisterAsync("""{"Name": "block-mine", "Port": 2}""");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (entries, newIndex) = await MeshHost.ReadWithIndexAsync(response);
        Assert.True(newIndex > otherIndex);
        Assert.Equal(2, entries[0].GetProperty("Service").GetProperty("Port").GetInt32());
    }

    [Fact]
    public async Task HealthService_NothingChanges_ReturnsAfterTheWaitWithTheSameIndex()
    {
        await Mesh.RegisterAsync("""{"Name": "block-quiet", "Port": 1}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/health/service/block-quiet");

        var (entries, sameIndex) = await Mesh.GetWithIndexAsync($"/v1/health/service/block-quiet?index={index}&wait=1s");

        Assert.Equal(index, sameIndex);
        Assert.Equal(1, entries.GetArrayLength());
    }

    [Fact]
    public async Task CatalogService_ReturnsWhenAnInstanceIsAdded()
    {
        await Mesh.RegisterAsync("""{"Name": "block-cat", "ID": "block-cat-1"}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/catalog/service/block-cat");

        var blocked = Mesh.Http.GetAsync($"/v1/catalog/service/block-cat?index={index}&wait=30s", TestContext.Current.CancellationToken);
        await Mesh.RegisterAsync("""{"Name": "block-cat", "ID": "block-cat-2"}""");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (entries, newIndex) = await MeshHost.ReadWithIndexAsync(response);
        Assert.True(newIndex > index);
        Assert.Equal(2, entries.GetArrayLength());
    }

    [Fact]
    public async Task CatalogServices_IndexFollowsRegistrationsNotHealth()
    {
        await Mesh.RegisterAsync("""{"Name": "block-catalog", "Check": {"TTL": "30s"}}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/catalog/services");

        await Mesh.PutOkAsync("/v1/agent/check/pass/service:block-catalog");
        var (_, afterHealth) = await Mesh.GetWithIndexAsync("/v1/catalog/services");
        var blocked = Mesh.Http.GetAsync($"/v1/catalog/services?index={index}&wait=30s", TestContext.Current.CancellationToken);
        await Mesh.RegisterAsync("""{"Name": "block-catalog-2"}""");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (services, newIndex) = await MeshHost.ReadWithIndexAsync(response);
        Assert.Equal(index, afterHealth);
        Assert.True(newIndex > index);
        Assert.True(services.TryGetProperty("block-catalog-2", out _));
    }

    [Fact]
    public async Task HealthState_ReturnsWhenAnyCheckChanges()
    {
        await Mesh.RegisterAsync("""{"Name": "block-state", "Check": {"TTL": "30s"}}""");
        var (_, index) = await Mesh.GetWithIndexAsync("/v1/health/state/passing");

        var blocked = Mesh.Http.GetAsync($"/v1/health/state/passing?index={index}&wait=30s", TestContext.Current.CancellationToken);
        await Mesh.PutOkAsync("/v1/agent/check/pass/service:block-state");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (checks, newIndex) = await MeshHost.ReadWithIndexAsync(response);
        Assert.True(newIndex > index);
        Assert.Contains(checks.EnumerateArray(), c => c.GetProperty("CheckID").GetString() == "service:block-state");
    }

    [Fact]
    public async Task AgentService_BlocksOnContentHash_ReturnsWhenTheServiceChanges()
    {
        await Mesh.RegisterAsync("""{"Name": "block-hash", "Port": 1}""");
        using var first = await Mesh.Http.GetAsync("/v1/agent/service/block-hash", TestContext.Current.CancellationToken);
        var hash = first.Headers.GetValues("X-Consul-ContentHash").Single();

        var blocked = Mesh.Http.GetAsync($"/v1/agent/service/block-hash?hash={hash}&wait=30s", TestContext.Current.CancellationToken);
        await Mesh.RegisterAsync("""{"Name": "block-hash", "Port": 2}""");

        using var response = await blocked.WaitAsync(Bound, TestContext.Current.CancellationToken);
        var (service, _) = await MeshHost.ReadWithIndexAsync(response);
        Assert.Equal(2, service.GetProperty("Port").GetInt32());
        Assert.NotEqual(hash, response.Headers.GetValues("X-Consul-ContentHash").Single());
    }

    [Fact]
    public async Task AnyRead_AnswersConsulsLeaderHeaders()
    {
        using var response = await Mesh.Http.GetAsync("/v1/catalog/services", TestContext.Current.CancellationToken);

        Assert.Equal("true", response.Headers.GetValues("X-Consul-KnownLeader").Single());
        Assert.Equal("0", response.Headers.GetValues("X-Consul-LastContact").Single());
        Assert.True(long.Parse(response.Headers.GetValues("X-Consul-Index").Single()) >= 1);
    }

    [Theory]
    [InlineData("/v1/health/service/x?index=nope")]
    [InlineData("/v1/catalog/services?index=1&wait=forever")]
    public async Task BadIndexOrWait_Answers400(string path)
    {
        using var response = await Mesh.Http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
