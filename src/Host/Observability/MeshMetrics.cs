using Prometheus;

namespace Mesh.Host.Observability;

/// <summary>
/// Mesh's metrics, in a registry of their own per application (not prometheus-net's static default), so that
/// several Mesh applications in one process — tests do that — neither share counters nor scrape each other.
/// </summary>
internal sealed class MeshMetrics
{
    static MeshMetrics()
    {
        // prometheus-net's default registry would listen to every .NET Meter and EventCounter (Kestrel's and
        // HttpClient's record per request) for a registry Mesh never serves: Mesh serves its own registry only.
        Metrics.SuppressDefaultMetrics();
    }

    public MeshMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);

        EventsAppended = factory.CreateCounter(
            "mesh_events_appended_total", "Events appended to the store by this process, by event type.", "type");
        AppendConflicts = factory.CreateCounter(
            "mesh_event_append_conflicts_total", "Appends refused because the stream's expected version did not hold.");
        StoreHead = factory.CreateGauge(
            "mesh_store_head_position", "Position of the last event in the store ($all).");
        StoreUp = factory.CreateGauge(
            "mesh_store_up", "1 when the event store answered the last scrape, 0 when it did not.");
        ConsumerPosition = factory.CreateGauge(
            "mesh_consumer_position", "Store position of the state a consumer serves.", "consumer");
        ConsumerLag = factory.CreateGauge(
            "mesh_consumer_lag_events", "Events in the store that a consumer has not applied yet.", "consumer");
        SourceReconcileFixed = factory.CreateCounter(
            "mesh_source_reconcile_fixed_total",
            "Registrations and deregistrations a source's reconcile had to make (on a periodic pass: events it missed), by source.",
            "source");
        HttpRequests = factory.CreateCounter(
            "mesh_http_requests_received_total", "HTTP API requests, by method, endpoint (route pattern) and status code.",
            "method", "endpoint", "code");
        HttpRequestDuration = factory.CreateHistogram(
            "mesh_http_request_duration_seconds", "HTTP API request duration, by method, endpoint and status code.",
            new HistogramConfiguration
            {
                LabelNames = ["method", "endpoint", "code"],
                // From sub-millisecond reads up to the longest blocking query (10 minutes).
                Buckets = Histogram.ExponentialBuckets(0.0005, 4, 12),
            });
        HttpRequestsInProgress = factory.CreateGauge(
            "mesh_http_requests_in_progress", "HTTP API requests being served (blocking queries included), by method and endpoint.",
            "method", "endpoint");
    }

    public CollectorRegistry Registry { get; }

    public Counter EventsAppended { get; }

    public Counter AppendConflicts { get; }

    public Gauge StoreHead { get; }

    public Gauge StoreUp { get; }

    public Gauge ConsumerPosition { get; }

    public Gauge ConsumerLag { get; }

    public Counter SourceReconcileFixed { get; }

    public Counter HttpRequests { get; }

    public Histogram HttpRequestDuration { get; }

    public Gauge HttpRequestsInProgress { get; }
}
