using System.Collections.Immutable;
using System.Globalization;
using Mesh.Projections.Feed;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Mesh.Host.Tests.Common;

namespace Mesh.Host.Tests.Observability;

public sealed class MetricsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterRegistrations_CountEventsByTypeAndReportHeadAndProjectionPosition()
    {
        await using var mesh = await MeshHost.StartAsync();
        var registry = mesh.App.Services.GetRequiredService<IObservationHandler>();
        var first = await registry.HandleAsync(Seen("api:web-1"), Ct);
        var last = await registry.HandleAsync(Seen("api:web-2"), Ct);
        await registry.HandleAsync(new InstanceGone("api:web-1", "api", "api"), Ct);
        var feed = mesh.App.Services.GetRequiredService<RegistryFeed>();
        var head = (await feed.WaitForNewerAsync(last.Position, TimeSpan.FromSeconds(10), Ct)).Position;

        var metrics = await ScrapeAsync(mesh);

        Assert.True(first.Position > 0);
        Assert.Equal(2, metrics["mesh_events_appended_total{type=\"InstanceRegistered\"}"]);
        Assert.Equal(1, metrics["mesh_events_appended_total{type=\"InstanceDeregistered\"}"]);
        Assert.Equal(head, metrics["mesh_store_head_position"]);
        Assert.Equal(head, metrics["mesh_consumer_position{consumer=\"projection\"}"]);
        Assert.Equal(0, metrics["mesh_consumer_lag_events{consumer=\"projection\"}"]);
    }

    [Fact]
    public async Task Metrics_AfterApiRequests_CountThemByMethodRoutePatternAndStatus()
    {
        await using var mesh = await MeshHost.StartAsync();
        (await mesh.Http.GetAsync("/healthz", Ct)).EnsureSuccessStatusCode();
        (await mesh.Http.GetAsync("/healthz", Ct)).EnsureSuccessStatusCode();
        (await mesh.Http.GetAsync("/v1/mesh/status", Ct)).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync(mesh);

        Assert.Equal(2, metrics["mesh_http_requests_received_total{method=\"GET\",endpoint=\"/healthz\",code=\"200\"}"]);
        Assert.Equal(1, metrics["mesh_http_requests_received_total{method=\"GET\",endpoint=\"/v1/mesh/status\",code=\"200\"}"]);
        Assert.DoesNotContain(metrics.Keys, k => k.Contains("endpoint=\"/metrics\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_AreServedInPrometheusTextFormat()
    {
        await using var mesh = await MeshHost.StartAsync();

        using var response = await mesh.Http.GetAsync("/metrics", Ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("# TYPE mesh_events_appended_total counter", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE mesh_store_head_position gauge", body, StringComparison.Ordinal);
    }

    private static InstanceSeen Seen(string id) => new(
        id, "api", "web", "integration", "10.0.0.1", 8080,
        ["v1"], ImmutableSortedDictionary<string, string>.Empty, [], null, "node-1", []);

    /// <summary>Sample lines of the text format as "name{labels}" -> value.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(MeshHost mesh)
    {
        var body = await mesh.Http.GetStringAsync("/metrics", Ct);
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
