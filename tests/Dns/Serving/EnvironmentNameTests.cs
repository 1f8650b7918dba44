using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>Names that carry their environment: <c>svc.service.env.mesh</c>, and the test domain's wildcards to the gateway.</summary>
public sealed class EnvironmentNameTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_explicit_environment_name_answers_that_environments_instances_falling_back_to_integration(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:redis-int", "redis", "10.0.0.1", 6379);
        await dns.RegisterAsync("api:redis-x", "redis", "10.0.1.1", 6379, env: "feature-x");
        await dns.RegisterAsync("api:web-y", "web", "10.0.2.1", 80, env: "feature-y");

        Assert.Equal(["10.0.1.1"], Lookups.AddressesOf(await dns.QueryAsync("redis.service.feature-x.mesh", QueryType.A, tcp)));
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("redis.service.integration.mesh", QueryType.A, tcp)));
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("redis.service.feature-y.mesh", QueryType.A, tcp)));
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("redis.service.mesh", QueryType.A, tcp)));

        var srv = await dns.QueryAsync("_redis._tcp.service.feature-x.mesh", QueryType.SRV, tcp);
        Assert.Equal("0a000101.addr.mesh.", Assert.Single(srv.Answers.SrvRecords()).Target.Value);

        var unknown = await dns.QueryAsync("redis.service.nobody.mesh", QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, unknown.Header.ResponseCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_test_domain_wildcard_resolves_to_the_gateway_only_while_its_environment_has_instances(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-int", "web", "10.0.0.1");
        string[] names = ["anything.feature-x.test.mesh", "a.b.c.feature-x.test.mesh", "API.Feature-X.Test.Mesh"];

        foreach (var name in names)
        {
            var before = await dns.QueryAsync(name, QueryType.A, tcp);
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, before.Header.ResponseCode);
            Assert.Empty(before.Answers);
        }

        await dns.RegisterAsync("api:web-x", "web", "10.0.1.1", env: "feature-x");
        foreach (var name in names)
        {
            var during = await dns.QueryAsync(name, QueryType.A, tcp);
            Assert.Equal(DnsHeaderResponseCode.NoError, during.Header.ResponseCode);
            Assert.True(during.Header.HasAuthorityAnswer);
            // Mesh:Gateway:Url is http://127.0.0.1:8080 in the harness.
            Assert.Equal(["127.0.0.1"], Lookups.AddressesOf(during));
            Assert.Equal(name.ToLowerInvariant() + ".", Assert.Single(during.Answers).DomainName.Value.ToLowerInvariant());
        }

        await dns.DeregisterAsync("api:web-x");
        foreach (var name in names)
        {
            var after = await dns.QueryAsync(name, QueryType.A, tcp);
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, after.Header.ResponseCode);
        }
    }

    [Theory]
    [InlineData(false, "612E62")] // a.b: a dot inside a label
    [InlineData(true, "612E62")]
    [InlineData(false, "0001FF")] // control and high bytes
    [InlineData(false, "C3A958")] // UTF-8 é, then X
    [InlineData(false, "5F2A")] // _*
    [InlineData(true, "5F2A")]
    [InlineData(false, "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A")] // 63 bytes
    [InlineData(true, "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A")]
    public async Task A_test_domain_wildcard_with_odd_label_bytes_is_answered_with_the_question_echoed_as_sent(bool tcp, string labelHex)
    {
        // The wildcard echoes any name under the environment: a label of any bytes (RFC 2181 §11) must come back as
        // sent, in the question and as the answer's owner name, in a well-formed message.
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-x", "web", "10.0.1.1", env: "feature-x");
        var label = Convert.FromHexString(labelHex);
        var query = new List<byte>(RawDns.Query("feature-x.test.mesh", RawDns.TypeA, 0x4242));
        query.InsertRange(RawDns.HeaderLength, [(byte)label.Length, .. label]);

        RawMessage response;
        if (tcp)
        {
            response = await TcpDns.ExchangeAsync(dns.EndPoint, [.. query], Lookups.Ct);
        }
        else
        {
            using var udp = new UdpDnsSocket(dns.EndPoint);
            response = udp.Exchange([.. query]);
        }

        Assert.Equal(RawDns.NoError, response.Rcode);
        Assert.Equal("127.0.0.1", Assert.Single(response.Addresses).ToString());
        var question = Assert.Single(response.Questions).Name;
        Assert.Equal(System.Text.Encoding.Latin1.GetString(label) + ".feature-x.test.mesh.", question);
        Assert.Equal(question, Assert.Single(response.Answers).Name, ignoreCase: true);
    }

    [Theory]
    [InlineData("0001FF")]
    [InlineData("C3A958")]
    public async Task A_tcp_query_with_non_ascii_label_bytes_is_answered_with_the_question_echoed_as_sent(string labelHex) =>
        await A_test_domain_wildcard_with_odd_label_bytes_is_answered_with_the_question_echoed_as_sent(true, labelHex);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_known_service_name_under_the_domain_resolves_to_the_gateway(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        var before = await dns.QueryAsync("web.mesh", QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, before.Header.ResponseCode);
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        Assert.Equal(["127.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.mesh", QueryType.A, tcp)));
    }
}
