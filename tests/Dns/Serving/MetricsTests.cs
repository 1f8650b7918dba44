using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>The mesh_dns_* series a scrape sees, growing with the queries answered.</summary>
public sealed class MetricsTests
{
    private const string Queries = "mesh_dns_queries_total";

    private static (string, string)[] Labels(string type, string rcode, string transport) => [("type", type), ("rcode", rcode), ("transport", transport)];

    [Fact]
    public async Task Udp_queries_are_counted_by_type_response_code_and_transport()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");

        for (var i = 0; i < 3; i++) await dns.QueryAsync("web.service.mesh", QueryType.A);
        for (var i = 0; i < 2; i++) await dns.QueryAsync("nothing.service.mesh", QueryType.A);
        await dns.QueryAsync("example.com", QueryType.A);
        await dns.QueryAsync("_web._tcp.service.mesh", QueryType.SRV);
        await dns.QueryAsync("web.service.mesh", QueryType.AAAA);

        Assert.Equal(3, await dns.MetricReachingAsync(3, Queries, Labels("A", "NOERROR", "udp")));
        Assert.Equal(2, await dns.MetricReachingAsync(2, Queries, Labels("A", "NXDOMAIN", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, Labels("A", "REFUSED", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, Labels("SRV", "NOERROR", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, Labels("AAAA", "NOERROR", "udp")));
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, Queries, ("transport", "tcp")));
        Assert.Equal(8, await MetricsText.ValueAsync(dns.Metrics, Queries));
    }

    [Fact]
    public async Task Tcp_queries_are_counted_under_the_tcp_transport()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");

        for (var i = 0; i < 4; i++) await dns.QueryAsync("web.service.mesh", QueryType.A, tcp: true);
        await dns.QueryAsync("nothing.service.mesh", QueryType.A, tcp: true);
        await dns.QueryAsync("example.com", QueryType.A, tcp: true);

        Assert.Equal(4, await dns.MetricReachingAsync(4, Queries, Labels("A", "NOERROR", "tcp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, Labels("A", "NXDOMAIN", "tcp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, Labels("A", "REFUSED", "tcp")));
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, Queries, ("transport", "udp")));
    }

    [Fact]
    public async Task The_answer_duration_histogram_counts_every_answer_by_transport()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        const string Duration = "mesh_dns_answer_duration_seconds_count";
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, Duration));

        for (var i = 0; i < 5; i++) await dns.QueryAsync("web.service.mesh", QueryType.A);
        Assert.Equal(5, await dns.MetricReachingAsync(5, Duration, ("transport", "udp")));

        for (var i = 0; i < 3; i++) await dns.QueryAsync("nothing.service.mesh", QueryType.A, tcp: true);
        Assert.Equal(3, await dns.MetricReachingAsync(3, Duration, ("transport", "tcp")));
        Assert.Equal(5, await MetricsText.ValueAsync(dns.Metrics, Duration, ("transport", "udp")));
        Assert.True(await MetricsText.ValueAsync(dns.Metrics, "mesh_dns_answer_duration_seconds_sum") > 0);
    }

    [Fact]
    public async Task Error_responses_are_counted_by_their_code_and_uncommon_types_as_other()
    {
        await using var dns = await DnsHarness.StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);

        udp.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 1, cls: RawDns.ClassCh));
        udp.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 2, questionCount: 2));
        udp.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 3, ednsSize: 1232, ednsVersion: 1));
        udp.Exchange(RawDns.Query("web.service.mesh", 99, 4));

        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, ("rcode", "NOTIMP"), ("transport", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, ("rcode", "FORMERR"), ("transport", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, ("rcode", "BADVERS"), ("transport", "udp")));
        Assert.Equal(1, await dns.MetricReachingAsync(1, Queries, ("type", "other"), ("transport", "udp")));
    }

    [Fact]
    public async Task Datagrams_too_short_for_a_header_are_counted_as_malformed_drops()
    {
        await using var dns = await DnsHarness.StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        udp.Send([1, 2, 3, 4, 5]);
        udp.Send([]);
        Assert.Equal(2, await dns.MetricReachingAsync(2, "mesh_dns_dropped_total", ("reason", "malformed")));
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, Queries));
    }
}
