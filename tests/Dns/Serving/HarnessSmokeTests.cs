using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task A_registered_passing_instance_is_answered_over_udp()
    {
        await using var dns = await DnsHarness.StartAsync();
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        var result = await dns.Client().QueryAsync("web.service.mesh", QueryType.A, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("10.0.0.1", Assert.Single(result.Answers.ARecords()).Address.ToString());
    }
}
