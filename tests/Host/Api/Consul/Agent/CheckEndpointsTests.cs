using System.Net;
using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Api.Consul.Agent;

public sealed class CheckEndpointsTests(MeshHostFixture fixture) : IClassFixture<MeshHostFixture>
{
    private MeshHost Mesh => fixture.Host;

    [Fact]
    public async Task TtlPass_ThenFail_HealthFollowsWithTheNote()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-pf", "Check": {"TTL": "30s"}}""");
        Assert.Equal(0, (await Mesh.GetJsonAsync("/v1/health/service/ttl-pf?passing")).GetArrayLength());

        await Mesh.PutOkAsync("/v1/agent/check/pass/service:ttl-pf?note=all%20good");

        var check = await ServiceCheckAsync("ttl-pf", "service:ttl-pf");
        Assert.Equal("passing", check.GetProperty("Status").GetString());
        Assert.Equal("all good", check.GetProperty("Output").GetString());
        Assert.Equal(1, (await Mesh.GetJsonAsync("/v1/health/service/ttl-pf?passing")).GetArrayLength());

        await Mesh.PutOkAsync("/v1/agent/check/fail/service:ttl-pf?note=disk%20full");

        check = await ServiceCheckAsync("ttl-pf", "service:ttl-pf");
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("disk full", check.GetProperty("Output").GetString());
        Assert.Equal(0, (await Mesh.GetJsonAsync("/v1/health/service/ttl-pf?passing")).GetArrayLength());
    }

    [Fact]
    public async Task TtlWarn_MakesTheInstanceWarning()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-warn", "Check": {"CheckID": "ttl-warn-check", "TTL": "30s", "Status": "passing"}}""");

        await Mesh.PutOkAsync("/v1/agent/check/warn/ttl-warn-check");

        Assert.Equal(HealthStatus.Warning, Mesh.Feed.Current.Instances["api:ttl-warn"].Status);
        Assert.Equal(0, (await Mesh.GetJsonAsync("/v1/health/service/ttl-warn?passing")).GetArrayLength());
    }

    [Fact]
    public async Task Update_WithStatusAndOutput_SetsBoth()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-update", "Check": {"TTL": "30s"}}""");

        using var response = await Mesh.PutAsync("/v1/agent/check/update/service:ttl-update", """{"Status": "passing", "Output": "ok from body"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = Mesh.Feed.Current.Instances["api:ttl-update"].Checks["service:ttl-update"];
        Assert.Equal(HealthStatus.Passing, check.Status);
        Assert.Equal("ok from body", check.Output);
    }

    [Fact]
    public async Task Update_BadStatus_Answers400()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-update-bad", "Check": {"TTL": "30s"}}""");

        using var response = await Mesh.PutAsync("/v1/agent/check/update/service:ttl-update-bad", """{"Status": "fine"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Status 'fine'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Pass_Twice_SecondAppendsNothing()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-twice", "Check": {"TTL": "30s"}}""");
        await Mesh.PutOkAsync("/v1/agent/check/pass/service:ttl-twice");
        var head = await Mesh.StoreHeadAsync();

        await Mesh.PutOkAsync("/v1/agent/check/pass/service:ttl-twice");

        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Pass_RepeatingTheStatus_StillTellsTheTtlClock()
    {
        await Mesh.RegisterAsync("""{"Name": "ttl-beat", "Check": {"TTL": "30s"}}""");
        await Mesh.PutOkAsync("/v1/agent/check/pass/service:ttl-beat");
        var heartbeats = Mesh.App.Services.GetRequiredService<TtlHeartbeats>();
        var first = heartbeats.LastBeat("api:ttl-beat", "service:ttl-beat");
        Assert.NotNull(first);
        // Role all: the one process's own heartbeats, which its health checker reads.
        Assert.IsType<LocalTtlHeartbeatSink>(Mesh.App.Services.GetRequiredService<ITtlHeartbeatSink>());

        await Mesh.PutOkAsync("/v1/agent/check/pass/service:ttl-beat");

        Assert.True(heartbeats.LastBeat("api:ttl-beat", "service:ttl-beat") >= first);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("registry")]
    public async Task ClusterRoles_TtlBeats_GoToEveryRegistryOverTheBus(string role)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "mesh-host-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Role"] = role,
            ["Mesh:DataDir"] = dataDir,
            ["Mesh:Store:Kind"] = "postgres",
            ["Mesh:Store:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=mesh;Password=mesh;Database=mesh",
            ["Mesh:Bus:Transport"] = "rabbitmq",
            ["Mesh:Bus:RabbitMq:Host"] = "127.0.0.1",
        };
        try
        {
            // Composed only, never started: nothing connects.
            await using var app = MeshApp.Build([], b => b.Configuration.AddInMemoryCollection(settings));

            var sink = app.Services.GetRequiredService<ITtlHeartbeatSink>();

            Assert.Equal("Mesh.Bus.Clients.BusTtlHeartbeatSink", sink.GetType().FullName);
            Assert.Single(app.Services.GetServices<ITtlHeartbeatSink>());
        }
        finally
        {
            if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("pass")]
    [InlineData("warn")]
    [InlineData("fail")]
    public async Task Report_UnknownCheck_Answers404AndAppendsNothing(string verb)
    {
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync($"/v1/agent/check/{verb}/no-such-check");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Unknown check ID 'no-such-check'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    [Fact]
    public async Task Report_OnAnHttpCheck_Answers400()
    {
        await Mesh.RegisterAsync("""{"Name": "http-report", "Check": {"HTTP": "http://127.0.0.1:1/health", "Interval": "1h", "Status": "passing"}}""");
        // The health checker probes a new check at once (nothing listens on port 1, so it goes critical), then not
        // for an hour: wait for that one write, so it cannot land between the reads of the head below, nor during
        // the other tests of this class, which share this Mesh.
        await UntilCheckStatusAsync("api:http-report", "service:http-report", HealthStatus.Critical);
        var head = await Mesh.StoreHeadAsync();

        using var response = await Mesh.PutAsync("/v1/agent/check/fail/service:http-report");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a TTL check", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(head, await Mesh.StoreHeadAsync());
    }

    private async Task UntilCheckStatusAsync(string instanceId, string checkId, HealthStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var state = Mesh.Feed.Current;
            if (state.Instances.TryGetValue(instanceId, out var instance) && instance.Checks.TryGetValue(checkId, out var check) && check.Status == status)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"check '{checkId}' of '{instanceId}' never became {status}");
            await Mesh.Feed.WaitForNewerAsync(state.Position, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    private async Task<JsonElement> ServiceCheckAsync(string service, string checkId)
    {
        var entry = Assert.Single((await Mesh.GetJsonAsync($"/v1/health/service/{service}")).EnumerateArray());
        return entry.GetProperty("Checks").EnumerateArray().Single(c => c.GetProperty("CheckID").GetString() == checkId);
    }
}
