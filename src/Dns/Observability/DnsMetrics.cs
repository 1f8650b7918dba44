using System.Collections.Concurrent;
using Prometheus;

namespace Mesh.Dns.Observability;

/// <summary>
/// <c>mesh_dns_*</c> metrics: queries by type, response code and transport, answer latency, and what the server
/// dropped or rate-limited. Children are resolved once per label set and cached, so a query touches no label lookup.
/// </summary>
internal sealed class DnsMetrics
{
    private readonly Counter _queries;
    private readonly Histogram _duration;
    private readonly Counter _dropped;
    private readonly ConcurrentDictionary<(ushort Type, int Code, bool Tcp), Counter.Child> _children = new();
    private readonly Histogram.Child _udpDuration;
    private readonly Histogram.Child _tcpDuration;

    public DnsMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        _queries = factory.CreateCounter(
            "mesh_dns_queries_total", "DNS queries answered, by query type, response code and transport (udp, tcp).",
            "type", "rcode", "transport");
        _duration = factory.CreateHistogram(
            "mesh_dns_answer_duration_seconds", "Time from a query's arrival to its answer being sent, by transport.",
            new HistogramConfiguration { LabelNames = ["transport"], Buckets = Histogram.ExponentialBuckets(0.00001, 2, 16) });
        _dropped = factory.CreateCounter(
            "mesh_dns_dropped_total", "Queries not answered, by reason: malformed (not even a header, or a response), rate_limited, error (the server failed on it).",
            "reason");
        Slipped = factory.CreateCounter(
            "mesh_dns_rate_limit_slipped_total", "Rate-limited queries answered with an empty truncated response (TC), so a real client retries over TCP.");
        _udpDuration = _duration.WithLabels("udp");
        _tcpDuration = _duration.WithLabels("tcp");
        Malformed = _dropped.WithLabels("malformed");
        RateLimited = _dropped.WithLabels("rate_limited");
        Failed = _dropped.WithLabels("error");
    }

    public CollectorRegistry Registry { get; }

    public Counter.Child Malformed { get; }

    public Counter.Child RateLimited { get; }

    public Counter.Child Failed { get; }

    public Counter Slipped { get; }

    public void Answered(ushort type, int code, bool tcp, double seconds)
    {
        _children.GetOrAdd((type, code, tcp), static (key, queries) =>
            queries.WithLabels(TypeName(key.Type), CodeName(key.Code), key.Tcp ? "tcp" : "udp"), _queries).Inc();
        (tcp ? _tcpDuration : _udpDuration).Observe(seconds);
    }

    // A bounded label set: the common types by name, anything else as "other".
    private static string TypeName(ushort type) => type switch
    {
        1 => "A", 2 => "NS", 5 => "CNAME", 6 => "SOA", 12 => "PTR", 15 => "MX", 16 => "TXT", 28 => "AAAA", 33 => "SRV",
        65 => "HTTPS", 255 => "ANY", 0 => "none", _ => "other",
    };

    private static string CodeName(int code) => code switch
    {
        0 => "NOERROR", 1 => "FORMERR", 2 => "SERVFAIL", 3 => "NXDOMAIN", 4 => "NOTIMP", 5 => "REFUSED", 16 => "BADVERS",
        _ => "other",
    };
}
