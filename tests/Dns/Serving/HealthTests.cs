using System.Collections.Immutable;
using DnsClient;
using Mesh.Dns.Tests.Common;
using Mesh.Registry.Events;

namespace Mesh.Dns.Tests.Serving;

/// <summary>Only passing instances are answered; the answer follows each health change as soon as the zone has it.</summary>
public sealed class HealthTests
{
    private const string CheckId = "service:http";

    private static Task RegisterWithCheckAsync(DnsHarness dns, string instanceId, string service, string address, string env = "integration") =>
        dns.ApplyAsync(new InstanceRegistered(instanceId, service, env, address, 80, [], ImmutableSortedDictionary<string, string>.Empty, [], null, "api", "node-1",
            [new CheckSpec(CheckId, "http", CheckKind.Http, $"http://{address}/health", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), null, HealthStatus.Passing)]));

    private static Task SetHealthAsync(DnsHarness dns, string instanceId, HealthStatus status) =>
        dns.ApplyAsync(new InstanceHealthChanged(instanceId, CheckId, status, status.ToString()));

    private static async Task<(List<string> A, List<int> SrvPorts)> AskAsync(DnsHarness dns, bool tcp)
    {
        var a = await dns.QueryAsync("api.service.mesh", QueryType.A, tcp);
        var srv = await dns.QueryAsync("_api._tcp.service.mesh", QueryType.SRV, tcp);
        return (Lookups.AddressesOf(a), [.. srv.Answers.SrvRecords().Select(s => (int)s.Port)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_instance_whose_check_goes_critical_leaves_the_answer_and_comes_back_when_passing(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        await RegisterWithCheckAsync(dns, "api:api-1", "api", "10.0.0.1");
        await RegisterWithCheckAsync(dns, "api:api-2", "api", "10.0.0.2");
        Assert.Equal(["10.0.0.1", "10.0.0.2"], (await AskAsync(dns, tcp)).A);

        // ApplyAsync returns once the DNS zone is at the event's position: the very next query must see it.
        await SetHealthAsync(dns, "api:api-2", HealthStatus.Critical);
        var critical = await AskAsync(dns, tcp);
        Assert.Equal(["10.0.0.1"], critical.A);
        Assert.Single(critical.SrvPorts);

        await SetHealthAsync(dns, "api:api-2", HealthStatus.Passing);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], (await AskAsync(dns, tcp)).A);
    }

    [Fact]
    public async Task A_warning_check_also_leaves_the_answer()
    {
        await using var dns = await DnsHarness.StartAsync();
        await RegisterWithCheckAsync(dns, "api:api-1", "api", "10.0.0.1");
        await RegisterWithCheckAsync(dns, "api:api-2", "api", "10.0.0.2");
        await SetHealthAsync(dns, "api:api-1", HealthStatus.Warning);
        Assert.Equal(["10.0.0.2"], (await AskAsync(dns, tcp: false)).A);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_service_whose_instances_all_fail_is_nodata_not_nxdomain(bool tcp)
    {
        await using var dns = await DnsHarness.StartAsync();
        await RegisterWithCheckAsync(dns, "api:api-1", "api", "10.0.0.1");
        await SetHealthAsync(dns, "api:api-1", HealthStatus.Critical);

        var a = await dns.QueryAsync("api.service.mesh", QueryType.A, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, a.Header.ResponseCode);
        Assert.Empty(a.Answers);
        Assert.Single(a.Authorities.SoaRecords());
        var srv = await dns.QueryAsync("_api._tcp.service.mesh", QueryType.SRV, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, srv.Header.ResponseCode);
        Assert.Empty(srv.Answers);
    }

    [Fact]
    public async Task An_environment_whose_own_copy_fails_answers_nothing_rather_than_integrations_copy()
    {
        await using var dns = await DnsHarness.StartAsync();
        await RegisterWithCheckAsync(dns, "api:api-int", "api", "10.0.0.1");
        await RegisterWithCheckAsync(dns, "api:api-x", "api", "10.0.1.1", env: "feature-x");
        await SetHealthAsync(dns, "api:api-x", HealthStatus.Critical);

        var response = await dns.QueryAsync("api.service.feature-x.mesh", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Empty(response.Answers);

        await SetHealthAsync(dns, "api:api-x", HealthStatus.Passing);
        Assert.Equal(["10.0.1.1"], Lookups.AddressesOf(await dns.QueryAsync("api.service.feature-x.mesh", QueryType.A)));
    }

    [Fact]
    public async Task Maintenance_mode_takes_an_instance_out_of_the_answer_until_it_ends()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:api-1", "api", "10.0.0.1");
        await dns.RegisterAsync("api:api-2", "api", "10.0.0.2");
        await dns.ApplyAsync(new InstanceMaintenanceChanged("api:api-1", true, "deploy"));
        Assert.Equal(["10.0.0.2"], (await AskAsync(dns, tcp: false)).A);
        await dns.ApplyAsync(new InstanceMaintenanceChanged("api:api-1", false, ""));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], (await AskAsync(dns, tcp: false)).A);
    }

    [Fact]
    public async Task The_udp_answer_cached_before_a_health_change_is_not_served_after_it()
    {
        // The same raw question (same cache key) asked before and after: the cache lives with its zone snapshot.
        await using var dns = await DnsHarness.StartAsync();
        await RegisterWithCheckAsync(dns, "api:api-1", "api", "10.0.0.1");
        await RegisterWithCheckAsync(dns, "api:api-2", "api", "10.0.0.2");
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var query = RawDns.Query("api.service.mesh", RawDns.TypeA, 0x7777);
        for (var i = 0; i < 3; i++) Assert.Equal(2, udp.Exchange(query).Addresses.Count);

        await SetHealthAsync(dns, "api:api-1", HealthStatus.Critical);
        Assert.Equal("10.0.0.2", Assert.Single(udp.Exchange(query).Addresses).ToString());
        await dns.DeregisterAsync("api:api-2");
        Assert.Equal(RawDns.NoError, udp.Exchange(query).Rcode);
        Assert.Empty(udp.Exchange(query).Answers);
        await dns.DeregisterAsync("api:api-1");
        Assert.Equal(RawDns.NxDomain, udp.Exchange(query).Rcode);
    }
}
