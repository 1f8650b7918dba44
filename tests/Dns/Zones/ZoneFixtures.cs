using System.Collections.Immutable;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Dns.Tests.Zones;

/// <summary>
/// Registries folded from events, exactly as the projection folds the store's, and the zones they give: the
/// default settings are domain <c>mesh</c>, test domain <c>test.mesh</c>, TTL 7, one IPv4 and one IPv6 gateway
/// address, one name server address.
/// </summary>
internal static class ZoneFixtures
{
    public const int Ttl = 7;

    public static readonly IPAddress GatewayV4 = IPAddress.Parse("192.0.2.80");
    public static readonly IPAddress GatewayV6 = IPAddress.Parse("2001:db8::80");
    public static readonly IPAddress NameServer = IPAddress.Parse("192.0.2.53");

    public static readonly ZoneSettings Settings = ZoneSettings.Of("mesh", "test.mesh", Ttl, [GatewayV4, GatewayV6], [NameServer]);

    /// <summary>An instance registration; with <paramref name="checks"/>, one HTTP check per id, passing at first.</summary>
    public static InstanceRegistered Registered(
        string id, string service, string address, int port = 8080, string env = "integration", string node = "node-1",
        string[]? tags = null, string[]? checks = null) =>
        new(id, service, env, address, port, [.. tags ?? []], ImmutableSortedDictionary<string, string>.Empty, [], null, "api", node,
            [.. (checks ?? []).Select(Check)]);

    public static CheckSpec Check(string checkId) => new(
        checkId, "HTTP /health", CheckKind.Http, "http://127.0.0.1/health", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), null,
        HealthStatus.Passing);

    /// <summary>A registration whose one check then goes critical: the instance is registered but not passing.</summary>
    public static IEvent[] Failing(string id, string service, string address, string env = "integration", string node = "node-1") =>
    [
        Registered(id, service, address, env: env, node: node, checks: [$"{id}-http"]),
        new InstanceHealthChanged(id, $"{id}-http", HealthStatus.Critical, "connection refused"),
    ];

    public static RegistryState Fold(IEnumerable<IEvent> events) =>
        RegistryProjection.Fold(events.Select((e, i) => new RecordedEvent(
            i + 1, e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x"), 0, EventTypes.NameOf(e), e,
            EventMetadata.Empty, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddSeconds(i))));

    public static ZoneView Zone(params IEnumerable<IEvent> events) => ZoneView.Of(Fold(events), Settings);

    public static ZoneView Zone(ZoneSettings settings, params IEnumerable<IEvent> events) => ZoneView.Of(Fold(events), settings);

    public static ZoneAnswer Ask(this ZoneView zone, string name, RecordType type = RecordType.A, string view = "integration") =>
        zone.Answer(DomainName.Parse(name), type, view);

    /// <summary>The addresses of the answer's A and AAAA records, in order.</summary>
    public static string[] Addresses(this ZoneAnswer answer) =>
        [.. answer.Answers.Select(r => r switch
        {
            ARecord a => a.Address.ToString(),
            AaaaRecord aaaa => aaaa.Address.ToString(),
            _ => throw new InvalidOperationException($"not an address record: {r}"),
        })];

    /// <summary>The whole answer as text (records as ARSoft.Tools.Net prints them, names in their letter case).</summary>
    public static string Text(this ZoneAnswer answer) =>
        $"{answer.Code} aa={answer.Authoritative} shuffled={answer.Shuffled}\n" +
        $"answer: {string.Join(" ; ", answer.Answers)}\nauthority: {string.Join(" ; ", answer.Authority)}\nadditional: {string.Join(" ; ", answer.Additional)}";

    /// <summary>A positive answer: NOERROR, authoritative, nothing in authority.</summary>
    public static void AssertPositive(ZoneAnswer answer)
    {
        Assert.Equal(ReturnCode.NoError, answer.Code);
        Assert.True(answer.Authoritative);
        Assert.NotEmpty(answer.Answers);
        Assert.Empty(answer.Authority);
    }

    /// <summary>NXDOMAIN or NODATA: no answers, and the zone's SOA in authority, whose minimum (negative TTL) is the TTL.</summary>
    public static SoaRecord AssertNegative(ZoneAnswer answer, ReturnCode code, string zone = "mesh")
    {
        Assert.Equal(code, answer.Code);
        Assert.True(answer.Authoritative);
        Assert.Empty(answer.Answers);
        Assert.Empty(answer.Additional);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(answer.Authority));
        Assert.Equal(DomainName.Parse(zone), soa.Name);
        Assert.Equal(Ttl, soa.TimeToLive);
        Assert.Equal(Ttl, soa.NegativeCachingTTL);
        return soa;
    }

    public static void AssertNxDomain(ZoneAnswer answer, string zone = "mesh") => AssertNegative(answer, ReturnCode.NxDomain, zone);

    public static void AssertNoData(ZoneAnswer answer, string zone = "mesh")
    {
        AssertNegative(answer, ReturnCode.NoError, zone);
        Assert.True(answer.IsNoData);
    }
}
