using Mesh.Gateway.Observability;
using Mesh.Gateway.Tests.Common;
using Mesh.Tests.Common;
using Prometheus;

namespace Mesh.Gateway.Tests.Observability;

public sealed class DestinationGaugesTests
{
    [Fact]
    public async Task Each_service_running_in_its_environment_has_a_series_and_one_that_left_has_none()
    {
        await using var a = await HttpBackend.StartAsync("a");
        await using var b = await HttpBackend.StartAsync("b");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-a", "web", a);
        await gateway.RegisterAsync("api-b", "api", b, env: "feature-x");

        var metrics = await ScrapeAsync(gateway);
        Assert.Contains("mesh_gateway_destinations{service=\"web\",state=\"passing\"} 1", metrics);
        Assert.Contains("mesh_gateway_destinations{service=\"api--feature-x\",state=\"passing\"} 1", metrics);

        await gateway.DeregisterAsync("api-b");

        metrics = await ScrapeAsync(gateway);
        Assert.Contains("mesh_gateway_destinations{service=\"web\",state=\"passing\"} 1", metrics);
        Assert.DoesNotContain(metrics.Split('\n'), l => l.Contains("service=\"api--feature-x\"", StringComparison.Ordinal));
    }

    // What a Prometheus scrape gets: the gauges are set by a callback before each collection, as AddMeshGateway registers it.
    private static async Task<string> ScrapeAsync(GatewayHarness gateway)
    {
        DestinationGauges.Update(gateway.Metrics, gateway.Routes);
        using var stream = new MemoryStream();
        await gateway.Metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
