using System.Net;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Which environment answers a plain <c>svc.service.mesh</c>: the listener's view (a view's own port), else the
/// client's subnet's view, else integration; each falling back to integration for services it does not run.
/// </summary>
public sealed class ViewTests
{
    private const string Integration = "10.0.0.1";
    private const string FeatureX = "10.0.1.1";
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    private static async Task<DnsHarness> StartAsync(Dictionary<string, string?> settings)
    {
        var dns = await DnsHarness.StartAsync(settings);
        await dns.RegisterAsync("api:redis-int", "redis", Integration, 6379);
        await dns.RegisterAsync("api:redis-x", "redis", FeatureX, 6379, env: "feature-x");
        await dns.RegisterAsync("api:web-y", "web", "10.0.2.1", 80, env: "feature-y");
        return dns;
    }

    private static IPEndPoint ListenerOf(DnsHarness dns, string view) => dns.Endpoints.Listeners.Single(l => l.View == view).EndPoint;

    private static async Task<string> AddressAsync(DnsHarness dns, string name, bool tcp, IPEndPoint? at = null)
    {
        var response = await dns.QueryAsync(name, QueryType.A, tcp, at);
        return Assert.Single(Lookups.AddressesOf(response));
    }

    [Fact]
    public async Task A_view_with_a_port_gets_a_listener_of_its_own_besides_the_main_one()
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Port"] = "0", ["Views:feature-y:Port"] = "0" });
        var listeners = dns.Endpoints.Listeners;
        Assert.Equal([null, "feature-x", "feature-y"], listeners.Select(l => l.View));
        Assert.Equal(dns.EndPoint, listeners[0].EndPoint);
        Assert.Equal(3, listeners.Select(l => l.EndPoint.Port).Distinct().Count());
        Assert.All(listeners, l => Assert.NotEqual(0, l.EndPoint.Port));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_views_listener_answers_that_environments_instances_and_the_main_listener_integrations(bool tcp)
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Port"] = "0" });
        Assert.Equal(FeatureX, await AddressAsync(dns, "redis.service.mesh", tcp, ListenerOf(dns, "feature-x")));
        Assert.Equal(Integration, await AddressAsync(dns, "redis.service.mesh", tcp));
    }

    [Theory]
    [InlineData(false, "feature-y")]
    [InlineData(true, "feature-y")]
    [InlineData(false, "feature-z")]
    [InlineData(true, "feature-z")]
    public async Task A_view_whose_environment_runs_no_such_service_falls_back_to_integration(bool tcp, string view)
    {
        // feature-y exists (it runs web), feature-z runs nothing at all.
        await using var dns = await StartAsync(new() { [$"Views:{view}:Port"] = "0" });
        var listener = ListenerOf(dns, view);
        Assert.Equal(Integration, await AddressAsync(dns, "redis.service.mesh", tcp, listener));
        if (view == "feature-y") Assert.Equal("10.0.2.1", await AddressAsync(dns, "web.service.mesh", tcp, listener));
    }

    [Fact]
    public async Task A_view_falls_back_to_integration_once_its_own_instance_is_gone()
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Port"] = "0" });
        var listener = ListenerOf(dns, "feature-x");
        Assert.Equal(FeatureX, await AddressAsync(dns, "redis.service.mesh", false, listener));
        await dns.DeregisterAsync("api:redis-x");
        Assert.Equal(Integration, await AddressAsync(dns, "redis.service.mesh", false, listener));
        Assert.Equal(Integration, await AddressAsync(dns, "redis.service.mesh", true, listener));
    }

    [Fact]
    public async Task An_explicit_environment_in_the_name_wins_over_the_listeners_view()
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Port"] = "0" });
        var listener = ListenerOf(dns, "feature-x");
        Assert.Equal(Integration, await AddressAsync(dns, "redis.service.integration.mesh", false, listener));
        Assert.Equal(FeatureX, await AddressAsync(dns, "redis.service.feature-x.mesh", false));
    }

    [Fact]
    public async Task A_udp_client_in_a_views_subnet_gets_that_view_and_others_get_integration()
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Subnets:0"] = "127.0.0.2/32" });
        using var inSubnet = new UdpDnsSocket(dns.EndPoint, Other);
        using var outside = new UdpDnsSocket(dns.EndPoint, IPAddress.Loopback);

        var x = inSubnet.Exchange(RawDns.Query("redis.service.mesh", RawDns.TypeA, 0x0a01));
        var integration = outside.Exchange(RawDns.Query("redis.service.mesh", RawDns.TypeA, 0x0a02));

        Assert.Equal(FeatureX, Assert.Single(x.Addresses).ToString());
        Assert.Equal(Integration, Assert.Single(integration.Addresses).ToString());
        // A subnet view is no extra listener.
        Assert.Single(dns.Endpoints.Listeners);
    }

    [Fact]
    public async Task A_tcp_client_in_a_views_subnet_gets_that_view_and_others_get_integration()
    {
        await using var dns = await StartAsync(new() { ["Views:feature-x:Subnets:0"] = "127.0.0.2/32" });

        var x = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("redis.service.mesh", RawDns.TypeA, 0x0b01), Lookups.Ct, Other);
        var integration = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("redis.service.mesh", RawDns.TypeA, 0x0b02), Lookups.Ct, IPAddress.Loopback);

        Assert.Equal(FeatureX, Assert.Single(x.Addresses).ToString());
        Assert.Equal(Integration, Assert.Single(integration.Addresses).ToString());
    }

    [Fact]
    public async Task Subnet_views_get_separate_cached_answers_for_the_same_question()
    {
        // The UDP cache is per view: asking alternately from both sides never serves one side the other's answer.
        await using var dns = await StartAsync(new() { ["Views:feature-x:Subnets:0"] = "127.0.0.2/32" });
        using var inSubnet = new UdpDnsSocket(dns.EndPoint, Other);
        using var outside = new UdpDnsSocket(dns.EndPoint, IPAddress.Loopback);
        for (ushort id = 1; id <= 20; id++)
        {
            Assert.Equal(FeatureX, Assert.Single(inSubnet.Exchange(RawDns.Query("redis.service.mesh", RawDns.TypeA, id)).Addresses).ToString());
            Assert.Equal(Integration, Assert.Single(outside.Exchange(RawDns.Query("redis.service.mesh", RawDns.TypeA, id)).Addresses).ToString());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_views_own_listener_wins_over_the_clients_subnet(bool tcp)
    {
        await using var dns = await StartAsync(new()
        {
            ["Views:feature-x:Subnets:0"] = "127.0.0.2/32",
            ["Views:feature-y:Port"] = "0",
        });
        await dns.RegisterAsync("api:redis-y", "redis", "10.0.2.9", 6379, env: "feature-y");
        var query = RawDns.Query("redis.service.mesh", RawDns.TypeA, 0x0c01);
        var listener = ListenerOf(dns, "feature-y");

        var response = tcp
            ? await TcpDns.ExchangeAsync(listener, query, Lookups.Ct, Other)
            : Exchange(listener, query, Other);

        Assert.Equal("10.0.2.9", Assert.Single(response.Addresses).ToString());
    }

    private static RawMessage Exchange(IPEndPoint server, byte[] query, IPAddress local)
    {
        using var udp = new UdpDnsSocket(server, local);
        return udp.Exchange(query);
    }
}
