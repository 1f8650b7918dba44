using Mesh.Host.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Api.Mesh;

public sealed class MarathonSourceStatusEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_MarathonConfiguredButUnreachable_ListsTheSourceWithItsFailuresAndMetric()
    {
        await using var mesh = await MeshHost.StartAsync(extra: new Dictionary<string, string?>
        {
            ["Mesh:Sources:Marathon:Urls:0"] = "http://127.0.0.1:1",
            ["Mesh:Sources:Marathon:MaxBackoff"] = "00:00:00.200",
        });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement marathon;
        while (true)
        {
            marathon = (await mesh.GetJsonAsync("/v1/mesh/status")).GetProperty("Sources").GetProperty("marathon");
            if (marathon.GetProperty("Failures").GetInt64() > 0) break;
            Assert.True(DateTime.UtcNow < deadline, $"no failed connection reported: {marathon}");
            await Task.Delay(20, Ct);
        }

        Assert.False(marathon.GetProperty("Connected").GetBoolean());
        Assert.Equal("marathon", marathon.GetProperty("Node").GetString());
        Assert.Contains("127.0.0.1:1", marathon.GetProperty("LastError").GetString(), StringComparison.Ordinal);
        var metrics = await mesh.Http.GetStringAsync("/metrics", Ct);
        Assert.Contains("mesh_source_reconcile_fixed_total{source=\"marathon\"} 0", metrics, StringComparison.Ordinal);
    }
}
