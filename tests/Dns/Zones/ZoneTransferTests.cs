using ARSoft.Tools.Net.Dns;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary>AXFR and IXFR: not offered (the registry is served by the HTTP API and the event log).</summary>
public sealed class ZoneTransferTests
{
    [Theory]
    [InlineData("mesh", RecordType.Axfr)]
    [InlineData("mesh", RecordType.Ixfr)]
    [InlineData("test.mesh", RecordType.Axfr)]
    [InlineData("web.service.mesh", RecordType.Axfr)]
    public void A_zone_transfer_is_not_implemented(string name, RecordType type)
    {
        var answer = Zone(Registered("api:web-1", "web", "10.0.0.1")).Ask(name, type);

        Assert.Equal(ReturnCode.NotImplemented, answer.Code);
        Assert.Empty(answer.Answers);
        Assert.Empty(answer.Authority);
        Assert.Empty(answer.Additional);
    }

    [Fact]
    public void A_zone_transfer_of_a_name_outside_the_zones_is_not_authoritative()
    {
        var answer = Zone().Ask("example.com", RecordType.Axfr);

        Assert.False(answer.Authoritative);
        Assert.Contains(answer.Code, new[] { ReturnCode.Refused, ReturnCode.NotImplemented });
    }
}
