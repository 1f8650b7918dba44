using DnsClient;
using DnsClient.Protocol;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>The UDP fast path (its own encoder and cache) and the TCP path (ARSoft.Tools.Net) answer alike.</summary>
public sealed class TransportParityTests
{
    private static async Task<DnsHarness> StartWithServicesAsync()
    {
        var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1", 8080, tags: ["v1"]);
        await dns.RegisterAsync("api:web-2", "web", "10.0.0.2", 8081);
        await dns.RegisterAsync("api:db-1", "db", "10.0.0.9", 5432, node: "node-2");
        await dns.RegisterAsync("api:cache-1", "cache", "fd00::1", 6379);
        await dns.RegisterAsync("api:redis-x", "redis", "10.0.1.1", 6379, env: "feature-x");
        return dns;
    }

    public static TheoryData<string, QueryType> Questions => new()
    {
        { "web.service.mesh", QueryType.A },
        { "WEB.Service.MESH", QueryType.A },
        { "web.service.mesh", QueryType.AAAA },
        { "web.service.mesh", QueryType.SRV },
        { "_web._tcp.service.mesh", QueryType.SRV },
        { "_web._v1.service.mesh", QueryType.SRV },
        { "_web._tcp.service.mesh", QueryType.A },
        { "v1.web.service.mesh", QueryType.A },
        { "cache.service.mesh", QueryType.AAAA },
        { "cache.service.mesh", QueryType.ANY },
        { "nothing.service.mesh", QueryType.A },
        { "redis.service.feature-x.mesh", QueryType.A },
        { "service.mesh", QueryType.A },
        { "mesh", QueryType.SOA },
        { "mesh", QueryType.NS },
        { "mesh", QueryType.ANY },
        { "ns.mesh", QueryType.A },
        { "web.mesh", QueryType.A },
        { "node-2.node.mesh", QueryType.A },
        { "0a000009.addr.mesh", QueryType.A },
        { "zzzz.addr.mesh", QueryType.A },
        { "anything.feature-x.test.mesh", QueryType.A },
        { "anything.nobody.test.mesh", QueryType.A },
        { "example.com", QueryType.A },
        { "mesh.example.com", QueryType.A },
        { ".", QueryType.NS },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Udp_and_tcp_give_the_same_answer(string name, QueryType type)
    {
        await using var dns = await StartWithServicesAsync();
        var udp = await dns.QueryAsync(name, type);
        var tcp = await dns.QueryAsync(name, type, tcp: true);
        Assert.Equal(Lookups.Describe(udp), Lookups.Describe(tcp));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_query_for_a_service_answers_its_passing_addresses_authoritatively(bool tcp)
    {
        await using var dns = await StartWithServicesAsync();
        var response = await dns.QueryAsync("web.service.mesh", QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        Assert.False(response.Header.ResultTruncated);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], Lookups.AddressesOf(response));
        Assert.All(response.Answers.ARecords(), a => Assert.Equal("web.service.mesh.", a.DomainName.Value));
        Assert.All(response.Answers, a => Assert.Equal(5, a.InitialTimeToLive));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_srv_query_answers_addr_targets_with_their_addresses_in_the_additional_section(bool tcp)
    {
        await using var dns = await StartWithServicesAsync();
        var response = await dns.QueryAsync("_web._tcp.service.mesh", QueryType.SRV, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        var srv = response.Answers.SrvRecords().OrderBy(s => s.Port).ToList();
        Assert.Equal([(8080, "0a000001.addr.mesh."), (8081, "0a000002.addr.mesh.")], srv.Select(s => ((int)s.Port, s.Target.Value)));
        var glue = response.Additionals.ARecords().ToDictionary(a => a.DomainName.Value, a => a.Address.ToString());
        Assert.Equal("10.0.0.1", glue["0a000001.addr.mesh."]);
        Assert.Equal("10.0.0.2", glue["0a000002.addr.mesh."]);
        Assert.Equal(2, glue.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_name_that_names_nothing_is_nxdomain_with_the_zone_soa_in_authority(bool tcp)
    {
        await using var dns = await StartWithServicesAsync();
        var response = await dns.QueryAsync("nothing.service.mesh", QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        Assert.Empty(response.Answers);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(response.Authorities));
        Assert.Equal("mesh.", soa.DomainName.Value);
        Assert.Equal("ns.mesh.", soa.MName.Value);
        Assert.Equal(5u, soa.Minimum);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_type_a_service_has_no_records_of_is_nodata_with_the_soa(bool tcp)
    {
        await using var dns = await StartWithServicesAsync();
        var response = await dns.QueryAsync("web.service.mesh", QueryType.AAAA, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        Assert.Empty(response.Answers);
        Assert.IsType<SoaRecord>(Assert.Single(response.Authorities));
    }

    [Theory]
    [InlineData(false, "example.com")]
    [InlineData(true, "example.com")]
    [InlineData(false, "web.service.mesh.example.com")]
    [InlineData(true, "web.service.mesh.example.com")]
    public async Task A_name_outside_the_zones_is_refused_not_resolved(bool tcp, string name)
    {
        await using var dns = await StartWithServicesAsync();
        var response = await dns.QueryAsync(name, QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
        Assert.False(response.Header.HasAuthorityAnswer);
        Assert.Empty(response.Answers);
        Assert.Empty(response.Authorities);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_apex_answers_its_soa_and_ns_with_the_name_server_address(bool tcp)
    {
        await using var dns = await StartWithServicesAsync();
        var soa = await dns.QueryAsync("mesh", QueryType.SOA, tcp);
        Assert.True(soa.Header.HasAuthorityAnswer);
        Assert.Equal("ns.mesh.", Assert.Single(soa.Answers.SoaRecords()).MName.Value);
        var ns = await dns.QueryAsync("mesh", QueryType.NS, tcp);
        Assert.Equal("ns.mesh.", Assert.Single(ns.Answers.NsRecords()).NSDName.Value);
        Assert.Equal("127.0.0.1", Assert.Single(ns.Additionals.ARecords()).Address.ToString());
    }

    [Fact]
    public async Task The_question_is_echoed_in_the_askers_letter_case_and_answered_alike()
    {
        await using var dns = await StartWithServicesAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var response = udp.Exchange(RawDns.Query("WeB.SERVICE.mesh", RawDns.TypeA, 0x1234));
        Assert.Equal(0x1234, response.Id);
        Assert.Equal("WeB.SERVICE.mesh.", Assert.Single(response.Questions).Name);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], response.Addresses.Select(a => a.ToString()).Order());
        Assert.All(response.Answers, a => Assert.Equal("web.service.mesh.", a.Name, ignoreCase: true));
        // RD is echoed as asked.
        Assert.True(response.RecursionDesired);
        var noRd = udp.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 0x1235, recursionDesired: false));
        Assert.False(noRd.RecursionDesired);
    }
}
