using System.Globalization;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Names outside Mesh's zones: REFUSED without upstreams, forwarded with them. The upstream here is a second real
/// Mesh DNS server, authoritative for another domain.
/// </summary>
public sealed class ForwardingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_name_outside_the_zones_is_forwarded_to_the_upstream_over_udp_and_tcp()
    {
        await using var upstream = await DnsHarness.StartAsync(new Dictionary<string, string?> { ["Domain"] = "corp", ["TestDomain"] = "test.corp" });
        await upstream.RegisterAsync("api:db-1", "db", "10.9.0.1");
        await using var dns = await DnsHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Upstreams:0"] = upstream.EndPoint.ToString(),
        });

        var udp = await dns.Client().QueryAsync("db.service.corp", QueryType.A, cancellationToken: Ct);
        var tcp = await dns.Client(o => o.UseTcpOnly = true).QueryAsync("db.service.corp", QueryType.A, cancellationToken: Ct);

        Assert.Equal("10.9.0.1", Assert.Single(udp.Answers.ARecords()).Address.ToString());
        Assert.Equal("10.9.0.1", Assert.Single(tcp.Answers.ARecords()).Address.ToString());
        // Mesh's own zone is still answered by Mesh, not forwarded.
        var own = await dns.Client().QueryAsync("nothing.service.mesh", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, own.Header.ResponseCode);
    }

    [Fact]
    public async Task Without_upstreams_a_name_outside_the_zones_is_refused()
    {
        await using var dns = await DnsHarness.StartAsync();

        var answer = await dns.Client().QueryAsync("example.com", QueryType.A, cancellationToken: Ct);

        Assert.Equal(DnsHeaderResponseCode.Refused, answer.Header.ResponseCode);
        Assert.Empty(answer.Answers);
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_gives_servfail_not_silence()
    {
        // A bound UDP socket that never answers: the upstream is there but silent.
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;
        await using var dns = await DnsHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Upstreams:0"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["UpstreamTimeout"] = "00:00:00.200",
        });

        var answer = await dns.Client().QueryAsync("example.com", QueryType.A, cancellationToken: Ct);

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, answer.Header.ResponseCode);
    }
}
