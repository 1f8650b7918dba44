using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>A service's addresses come in a changing order, so clients that take the first one spread the load.</summary>
public sealed class ShuffleTests
{
    private const int Attempts = 200;
    private static readonly string[] Addresses = ["10.3.0.1", "10.3.0.2", "10.3.0.3", "10.3.0.4", "10.3.0.5"];

    private static async Task<DnsHarness> StartWithFiveAsync()
    {
        var dns = await DnsHarness.StartAsync();
        for (var i = 0; i < Addresses.Length; i++) await dns.RegisterAsync($"api:five-{i}", "five", Addresses[i]);
        return dns;
    }

    /// <summary>Asks until two different orders came back (at most <see cref="Attempts"/> times); the orders seen.</summary>
    private static async Task<HashSet<string>> OrdersAsync(Func<Task<IReadOnlyList<string>>> ask)
    {
        var orders = new HashSet<string>();
        for (var i = 0; i < Attempts && orders.Count < 2; i++)
        {
            var order = await ask();
            Assert.Equal(Addresses, order.Order(StringComparer.Ordinal));
            orders.Add(string.Join(",", order));
        }
        return orders;
    }

    [Fact]
    public async Task Repeated_udp_queries_return_the_same_set_in_more_than_one_order()
    {
        await using var dns = await StartWithFiveAsync();
        var orders = await OrdersAsync(async () =>
            [.. (await dns.QueryAsync("five.service.mesh", QueryType.A)).Answers.ARecords().Select(a => a.Address.ToString())]);
        if (orders.Count < 2) Assert.Fail($"{Attempts} UDP answers all listed the addresses as {orders.Single()}");
    }

    [Fact]
    public async Task Repeated_raw_udp_queries_with_edns_return_the_same_set_in_more_than_one_order()
    {
        await using var dns = await StartWithFiveAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        ushort id = 0;
        var orders = await OrdersAsync(() =>
        {
            var response = udp.Exchange(RawDns.Query("five.service.mesh", RawDns.TypeA, ++id, ednsSize: 1232));
            Assert.Equal(id, response.Id);
            return Task.FromResult<IReadOnlyList<string>>([.. response.Addresses.Select(a => a.ToString())]);
        });
        if (orders.Count < 2) Assert.Fail($"{Attempts} UDP answers all listed the addresses as {orders.Single()}");
    }

    [Fact]
    public async Task Repeated_tcp_queries_return_the_same_set_in_more_than_one_order()
    {
        await using var dns = await StartWithFiveAsync();
        var orders = await OrdersAsync(async () =>
            [.. (await dns.QueryAsync("five.service.mesh", QueryType.A, tcp: true)).Answers.ARecords().Select(a => a.Address.ToString())]);
        if (orders.Count < 2) Assert.Fail($"{Attempts} TCP answers all listed the addresses as {orders.Single()}");
    }

    [Fact]
    public async Task A_shuffled_answer_is_still_well_formed_with_each_address_once()
    {
        await using var dns = await StartWithFiveAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        for (ushort id = 1; id <= 50; id++)
        {
            var response = udp.Exchange(RawDns.Query("five.service.mesh", RawDns.TypeA, id));
            Assert.All(response.Answers, a => Assert.Equal(("five.service.mesh.", RawDns.TypeA, RawDns.ClassIn, 5u), (a.Name, a.Type, a.Class, a.Ttl)));
            Assert.Equal(Addresses, response.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        }
    }
}
