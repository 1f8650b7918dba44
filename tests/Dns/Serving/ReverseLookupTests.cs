using DnsClient;
using DnsClient.Protocol;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>PTR for registered instances' addresses over UDP and TCP; other reverse names go to the upstream.</summary>
public sealed class ReverseLookupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_registered_address_answers_ptr_to_its_service(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        await dns.RegisterAsync("api:web-x", "web", "10.0.0.2", env: "feature-x");

        var integration = await dns.Client(o => o.UseTcpOnly = tcp).QueryReverseAsync(System.Net.IPAddress.Parse("10.0.0.1"), Ct);
        var featureX = await dns.Client(o => o.UseTcpOnly = tcp).QueryReverseAsync(System.Net.IPAddress.Parse("10.0.0.2"), Ct);

        Assert.Equal("web.service.mesh.", Assert.Single(integration.Answers.PtrRecords()).PtrDomainName.Value);
        Assert.True(integration.Header.HasAuthorityAnswer);
        Assert.Equal("web.service.feature-x.mesh.", Assert.Single(featureX.Answers.PtrRecords()).PtrDomainName.Value);
    }

    [Fact]
    public async Task A_reverse_name_no_instance_has_is_forwarded_to_the_upstream()
    {
        await using var upstream = await DnsHarness.StartAsync(new Dictionary<string, string?> { ["Domain"] = "corp", ["TestDomain"] = "test.corp" });
        await upstream.RegisterAsync("api:db-1", "db", "10.9.0.1");
        await using var dns = await DnsHarness.StartAsync(new Dictionary<string, string?> { ["Upstreams:0"] = upstream.EndPoint.ToString() });
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");

        var own = await dns.Client().QueryReverseAsync(System.Net.IPAddress.Parse("10.0.0.1"), Ct);
        var forwarded = await dns.Client().QueryReverseAsync(System.Net.IPAddress.Parse("10.9.0.1"), Ct);

        Assert.Equal("web.service.mesh.", Assert.Single(own.Answers.PtrRecords()).PtrDomainName.Value);
        Assert.Equal("db.service.corp.", Assert.Single(forwarded.Answers.PtrRecords()).PtrDomainName.Value);
    }

    [Fact]
    public async Task Without_upstreams_a_reverse_name_no_instance_has_is_refused()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");

        var answer = await dns.Client().QueryReverseAsync(System.Net.IPAddress.Parse("10.0.0.2"), Ct);

        Assert.Equal(DnsHeaderResponseCode.Refused, answer.Header.ResponseCode);
    }
}
