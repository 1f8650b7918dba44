using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Answers bigger than the asker takes over UDP (512 bytes without EDNS, its EDNS size up to Mesh:Dns:MaxUdpSize)
/// are cut with TC set; TCP carries them whole.
/// </summary>
public sealed class TruncationTests
{
    private const int Instances = 100;

    private static async Task<DnsHarness> StartWithBigServiceAsync(IDictionary<string, string?>? settings = null)
    {
        var dns = await DnsHarness.StartAsync(settings);
        for (var i = 0; i < Instances; i++)
            await dns.RegisterAsync($"api:big-{i:D3}", "big", Address(i), 7000 + i);
        return dns;
    }

    private static string Address(int i) => $"10.1.{i / 250}.{i % 250 + 1}";

    private static HashSet<string> AllAddresses => [.. Enumerable.Range(0, Instances).Select(Address)];

    [Fact]
    public async Task A_udp_query_without_edns_gets_at_most_512_bytes_with_tc_set()
    {
        await using var dns = await StartWithBigServiceAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);

        var response = udp.Exchange(RawDns.Query("big.service.mesh", RawDns.TypeA, 0x0101));

        Assert.True(response.IsResponse);
        Assert.True(response.Truncated);
        Assert.InRange(response.Length, RawDns.HeaderLength, 512);
        Assert.Equal(RawDns.NoError, response.Rcode);
        Assert.Null(response.Opt);
        // What it carries is a part of the set, each address once.
        var addresses = response.Addresses.Select(a => a.ToString()).ToList();
        Assert.NotEmpty(addresses);
        Assert.InRange(addresses.Count, 1, Instances - 1);
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
        Assert.Subset(AllAddresses, addresses.ToHashSet());
    }

    [Theory]
    [InlineData(1232, 1232)]
    [InlineData(4096, 1232)]
    [InlineData(800, 800)]
    [InlineData(100, 512)]
    public async Task A_udp_query_with_edns_gets_at_most_its_buffer_size_capped_by_the_server_with_tc_set(int asked, int limit)
    {
        await using var dns = await StartWithBigServiceAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);

        var response = udp.Exchange(RawDns.Query("big.service.mesh", RawDns.TypeA, 0x0202, ednsSize: asked));

        Assert.True(response.Truncated);
        // Filled up to the limit: an A record is 16 bytes, so less than two of them are left unused.
        Assert.InRange(response.Length, limit - 32, limit);
        Assert.NotNull(response.Opt);
        Assert.Equal(1232, response.Opt!.Class); // the server's own UDP payload size
        Assert.Subset(AllAddresses, response.Addresses.Select(a => a.ToString()).ToHashSet());
        Assert.InRange(response.Addresses.Count, 1, Instances - 1);
    }

    [Fact]
    public async Task A_bigger_edns_buffer_carries_more_of_the_set()
    {
        await using var dns = await StartWithBigServiceAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);

        var small = udp.Exchange(RawDns.Query("big.service.mesh", RawDns.TypeA, 1));
        var large = udp.Exchange(RawDns.Query("big.service.mesh", RawDns.TypeA, 2, ednsSize: 1232));

        Assert.True(large.Addresses.Count > small.Addresses.Count, $"{large.Addresses.Count} addresses in 1232 bytes, {small.Addresses.Count} in 512");
    }

    [Fact]
    public async Task A_udp_client_that_retries_over_tcp_on_tc_gets_every_address()
    {
        await using var dns = await StartWithBigServiceAsync();
        var udp = await dns.QueryAsync("big.service.mesh", QueryType.A);
        Assert.False(udp.Header.ResultTruncated);
        Assert.Equal(AllAddresses.Order(), Lookups.AddressesOf(udp).Order());
    }

    [Fact]
    public async Task A_tcp_query_gets_every_address_untruncated()
    {
        await using var dns = await StartWithBigServiceAsync();

        var raw = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("big.service.mesh", RawDns.TypeA, 0x0303), Lookups.Ct);
        Assert.False(raw.Truncated);
        Assert.Equal(0x0303, raw.Id);
        Assert.Equal(AllAddresses.Order(), raw.Addresses.Select(a => a.ToString()).Order());

        var client = await dns.QueryAsync("big.service.mesh", QueryType.A, tcp: true);
        Assert.Equal(AllAddresses.Order(), Lookups.AddressesOf(client).Order());
    }

    [Fact]
    public async Task A_tcp_srv_query_gets_every_target_and_its_address()
    {
        await using var dns = await StartWithBigServiceAsync();

        var response = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("big.service.mesh", RawDns.TypeSrv, 0x0404), Lookups.Ct);

        Assert.False(response.Truncated);
        Assert.Equal(Instances, response.Answers.Count(r => r.Type == RawDns.TypeSrv));
        Assert.Equal(AllAddresses.Order(), response.Additional.Where(r => r.Type == RawDns.TypeA).Select(r => r.Address.ToString()).Order());
    }

    [Fact]
    public async Task Srv_answers_that_fit_without_their_addresses_are_sent_whole_with_fewer_additional_records_and_no_tc()
    {
        // 10 SRV records fit in 512 bytes, their 10 addresses on top do not: RFC 2181 §9, additional data is not
        // worth a TC (the asker can look the targets up).
        await using var dns = await DnsHarness.StartAsync();
        for (var i = 0; i < 10; i++) await dns.RegisterAsync($"api:mid-{i}", "mid", $"10.2.0.{i + 1}", 9000 + i);
        using var udp = new UdpDnsSocket(dns.EndPoint);

        var response = udp.Exchange(RawDns.Query("mid.service.mesh", RawDns.TypeSrv, 0x0505));

        Assert.False(response.Truncated);
        Assert.InRange(response.Length, RawDns.HeaderLength, 512);
        Assert.Equal(10, response.Answers.Count);
        Assert.InRange(response.Additional.Count, 0, 9);
        // The additional records sent are right: each names an SRV target and holds its address.
        var targets = response.Answers.Select(a => a.Text.Split(' ')[3]).ToHashSet();
        Assert.All(response.Additional, a =>
        {
            Assert.Contains(a.Name, targets);
            Assert.Equal(Convert.ToHexStringLower(a.Address.GetAddressBytes()) + ".addr.mesh.", a.Name);
        });

        var withEdns = udp.Exchange(RawDns.Query("mid.service.mesh", RawDns.TypeSrv, 0x0506, ednsSize: 1232));
        Assert.Equal(10, withEdns.Additional.Count(r => r.Type == RawDns.TypeA));
    }

    [Fact]
    public async Task A_truncated_response_is_still_a_well_formed_message_with_the_question()
    {
        await using var dns = await StartWithBigServiceAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);

        foreach (var (type, edns) in new (ushort, int?)[] { (RawDns.TypeA, null), (RawDns.TypeSrv, null), (RawDns.TypeA, 1232), (RawDns.TypeSrv, 700) })
        {
            var response = udp.Exchange(RawDns.Query("big.service.mesh", type, 0x0606, ednsSize: edns));
            var question = Assert.Single(response.Questions);
            Assert.Equal(("big.service.mesh.", type, RawDns.ClassIn), (question.Name, question.Type, question.Class));
            Assert.True(response.Truncated, $"type {type} edns {edns}");
            Assert.All(response.Answers, a => Assert.Equal(type, a.Type));
        }
    }
}
