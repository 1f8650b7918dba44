using Mesh.Projections.Feed;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Sources.Marathon;
using Mesh.Registry.Store;
using Prometheus;

namespace Mesh.Host.Observability;

/// <summary>
/// Prometheus metrics at <c>/metrics</c> (text format), all named <c>mesh_*</c>: events appended (a decorator
/// around <see cref="IEventStore"/>), store head and each consumer's position and lag (read at scrape time),
/// API requests (prometheus-net's HTTP middleware), and what source reconciles fixed (read from the source's status).
/// </summary>
internal static class Observability
{
    /// <summary>Registers the metrics and decorates the <see cref="IEventStore"/>; call after the store is registered.</summary>
    public static IServiceCollection AddMeshObservability(this IServiceCollection services)
    {
        services.AddSingleton<MeshMetrics>();
        // Components with metrics of their own (the gateway) register them in the same registry, served at /metrics.
        services.AddSingleton(sp => sp.GetRequiredService<MeshMetrics>().Registry);
        DecorateEventStore(services);
        return services;
    }

    /// <summary>Measures every API request (except scrapes) and serves <c>/metrics</c>; call before mapping endpoints.</summary>
    public static WebApplication UseMeshObservability(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<MeshMetrics>();
        var store = app.Services.GetRequiredService<IEventReader>();
        var feed = app.Services.GetRequiredService<RegistryFeed>();

        // Positions are read when Prometheus scrapes, not pushed on every event: the hot path stays untouched.
        // An unreachable store (a server backend) leaves the head and lag as last read, and mesh_store_up at 0:
        // the process still serves its last state, so its metrics are still worth scraping.
        metrics.Registry.AddBeforeCollectCallback(async ct =>
        {
            var projection = feed.Current.Position;
            metrics.ConsumerPosition.WithLabels("projection").Set(projection);
            try
            {
                var head = await store.ReadHeadPositionAsync(ct).ConfigureAwait(false);
                metrics.StoreUp.Set(1);
                metrics.StoreHead.Set(head);
                metrics.ConsumerLag.WithLabels("projection").Set(Math.Max(0, head - projection));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.StoreUp.Set(0);
            }
            // Resolved here, not at startup: creating it reads (and so validates) the source's options.
            if (app.Services.GetService<DockerSourceStatus>() is { } docker)
                metrics.SourceReconcileFixed.WithLabels("docker").IncTo(docker.Current.FixedTotal);
            if (app.Services.GetService<MarathonSourceStatus>() is { } marathon)
                metrics.SourceReconcileFixed.WithLabels("marathon").IncTo(marathon.Current.FixedTotal);
        });

        // Routing first, so that requests are labelled with their route pattern rather than their raw path.
        app.UseRouting();
        app.UseHttpMetrics(o =>
        {
            o.CaptureMetricsUrl = false;
            o.RequestCount.Counter = metrics.HttpRequests;
            o.RequestDuration.Histogram = metrics.HttpRequestDuration;
            o.InProgress.Gauge = metrics.HttpRequestsInProgress;
        });
        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    private static void DecorateEventStore(IServiceCollection services)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IEventStore) && !d.IsKeyedService)
            ?? throw new InvalidOperationException($"{nameof(AddMeshObservability)} needs an {nameof(IEventStore)} registered first.");
        services.Remove(inner);
        services.AddSingleton<IEventStore>(sp => new MeteredEventStore(Create(sp, inner), sp.GetRequiredService<MeshMetrics>()));
    }

    private static IEventStore Create(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (IEventStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
}
