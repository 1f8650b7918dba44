using System.Net;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Response rate limiting per client address over UDP: past the budget, responses are dropped, every Slip-th one
/// sent as an empty TC response instead; exempt subnets and TCP are never limited.
/// </summary>
public sealed class RateLimitTests
{
    private const int Burst = 50;

    private static Dictionary<string, string?> Limited(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["RateLimit:ResponsesPerSecond"] = "5", ["RateLimit:Slip"] = "2" };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private static async Task<DnsHarness> StartAsync(Dictionary<string, string?> settings)
    {
        var dns = await DnsHarness.StartAsync(settings);
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        return dns;
    }

    private static Task<double> UdpAnsweredAsync(DnsHarness dns) => MetricsText.ValueAsync(dns.Metrics, "mesh_dns_queries_total", ("transport", "udp"));

    private static Task<double> RateLimitedAsync(DnsHarness dns) => MetricsText.ValueAsync(dns.Metrics, "mesh_dns_dropped_total", ("reason", "rate_limited"));

    /// <summary>Sends <see cref="Burst"/> queries back to back; once the server has handled all of them, every response it sent.</summary>
    private static async Task<List<RawMessage>> BurstAsync(DnsHarness dns, UdpDnsSocket udp)
    {
        var answeredBefore = await UdpAnsweredAsync(dns);
        var limitedBefore = await RateLimitedAsync(dns);
        for (var i = 0; i < Burst; i++) udp.Send(RawDns.Query("web.service.mesh", RawDns.TypeA, (ushort)(1000 + i)));
        // Each query ends answered (counted after its response is sent) or dropped: wait for all of them, then
        // everything sent is already in the socket's buffer.
        await Mesh.Tests.Common.Poll.UntilAsync(
            async () => await UdpAnsweredAsync(dns) - answeredBefore + await RateLimitedAsync(dns) - limitedBefore >= Burst,
            $"the server to handle {Burst} UDP queries", TimeSpan.FromSeconds(10), Lookups.Ct);
        var responses = udp.Drain().Select(d => RawMessage.Parse(d)).ToList();
        Assert.All(responses, r =>
        {
            Assert.True(r.IsResponse);
            Assert.InRange(r.Id, 1000, 1000 + Burst - 1);
        });
        Assert.Equal(responses.Count, responses.Select(r => r.Id).Distinct().Count());
        return responses;
    }

    private static bool IsSlipped(RawMessage r) => r.Truncated && r.Answers.Count == 0 && r.Rcode == RawDns.NoError && r.Questions.Count == 1;

    [Fact]
    public async Task A_udp_client_over_its_rate_gets_fewer_answers_some_slipped_as_empty_tc_responses_and_both_are_counted()
    {
        await using var dns = await StartAsync(Limited());
        using var udp = new UdpDnsSocket(dns.EndPoint);

        var responses = await BurstAsync(dns, udp);

        var full = responses.Where(r => !r.Truncated).ToList();
        var slipped = responses.Where(IsSlipped).ToList();
        Assert.Equal(responses.Count, full.Count + slipped.Count);
        Assert.All(full, r => Assert.Equal("10.0.0.1", Assert.Single(r.Addresses).ToString()));
        Assert.InRange(full.Count, 1, Burst - 1);
        Assert.NotEmpty(slipped);
        var dropped = Burst - responses.Count;
        Assert.True(dropped > 0, $"{responses.Count} of {Burst} queries got a response");
        Assert.Equal(dropped, await RateLimitedAsync(dns));
        Assert.Equal(slipped.Count, await MetricsText.ValueAsync(dns.Metrics, "mesh_dns_rate_limit_slipped_total"));
        // Slip 2: every second limited response slips, so slipped and dropped differ by at most one.
        Assert.InRange(slipped.Count - dropped, -1, 1);
    }

    [Fact]
    public async Task A_client_in_an_exempt_subnet_gets_every_answer()
    {
        await using var dns = await StartAsync(Limited(("RateLimit:Exempt:0", "127.0.0.0/8")));
        using var udp = new UdpDnsSocket(dns.EndPoint);

        for (var i = 0; i < Burst; i++) udp.Send(RawDns.Query("web.service.mesh", RawDns.TypeA, (ushort)(2000 + i)));
        var responses = new List<RawMessage>();
        for (var i = 0; i < Burst; i++)
        {
            var datagram = udp.Receive(UdpDnsSocket.DefaultWait) ?? throw new TimeoutException($"only {responses.Count} of {Burst} exempt queries were answered");
            responses.Add(RawMessage.Parse(datagram));
        }

        Assert.All(responses, r =>
        {
            Assert.False(r.Truncated);
            Assert.Equal("10.0.0.1", Assert.Single(r.Addresses).ToString());
        });
        Assert.Equal(Burst, responses.Select(r => r.Id).Distinct().Count());
        Assert.Equal(0, await RateLimitedAsync(dns));
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, "mesh_dns_rate_limit_slipped_total"));
    }

    [Fact]
    public async Task Tcp_is_never_rate_limited()
    {
        await using var dns = await StartAsync(Limited());
        // Spend the UDP budget of 127.0.0.1 first.
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var udpResponses = await BurstAsync(dns, udp);
        Assert.True(udpResponses.Count < Burst);
        var limited = await RateLimitedAsync(dns);

        for (var i = 0; i < Burst; i++)
        {
            var response = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("web.service.mesh", RawDns.TypeA, (ushort)(3000 + i)), Lookups.Ct);
            Assert.False(response.Truncated);
            Assert.Equal("10.0.0.1", Assert.Single(response.Addresses).ToString());
        }
        var client = await dns.QueryAsync("web.service.mesh", QueryType.A, tcp: true);
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(client));
        Assert.Equal(limited, await RateLimitedAsync(dns));
    }

    [Fact]
    public async Task Each_client_address_has_a_budget_of_its_own()
    {
        await using var dns = await StartAsync(Limited());
        using var first = new UdpDnsSocket(dns.EndPoint, IPAddress.Loopback);
        Assert.True((await BurstAsync(dns, first)).Count < Burst);

        using var second = new UdpDnsSocket(dns.EndPoint, IPAddress.Parse("127.0.0.2"));
        var response = second.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 4000));
        Assert.False(response.Truncated);
        Assert.Equal("10.0.0.1", Assert.Single(response.Addresses).ToString());
    }

    [Fact]
    public async Task Without_a_rate_limit_a_burst_is_answered_in_full()
    {
        await using var dns = await StartAsync(new() { ["RateLimit:ResponsesPerSecond"] = "0" });
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var responses = await BurstAsync(dns, udp);
        Assert.Equal(Burst, responses.Count(r => !r.Truncated && r.Addresses.Count == 1));
    }
}
