using System.Net;
using ARSoft.Tools.Net;
using Mesh.Dns.Zones;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Zones;

/// <summary><see cref="ZoneNames.Classify"/>: what a queried name means, before any registry lookup.</summary>
public sealed class ZoneNamesTests
{
    private static readonly HashSet<string> Environments = ["integration", "feature-x"];
    private static readonly HashSet<string> Services = ["web"];

    private static string Classify(string name, ZoneSettings? settings = null, Func<string, bool>? environmentExists = null) =>
        Describe(ZoneNames.Classify(
            name.Length == 0 ? [] : name.ToLowerInvariant().Split('.'), settings ?? Settings, environmentExists ?? Environments.Contains, Services.Contains));

    private static string Describe(ZoneName zoneName) => zoneName switch
    {
        ZoneName.Service s => $"Service {s.Name} tag={s.Tag ?? "-"} env={s.Env ?? "-"} srv={s.Srv}",
        ZoneName.Node n => $"Node {n.Name}",
        ZoneName.Addr a => $"Addr {a.Address}",
        _ => zoneName.GetType().Name,
    };

    [Theory]
    [InlineData("mesh", "Apex")]
    [InlineData("service.mesh", "Empty")]
    [InlineData("node.mesh", "Empty")]
    [InlineData("addr.mesh", "Empty")]
    [InlineData("ns.mesh", "NameServer")]
    [InlineData("web.service.mesh", "Service web tag=- env=- srv=False")]
    [InlineData("v1.web.service.mesh", "Service web tag=v1 env=- srv=False")]
    [InlineData("_web._tcp.service.mesh", "Service web tag=- env=- srv=True")]
    [InlineData("_web._v1.service.mesh", "Service web tag=v1 env=- srv=True")]
    [InlineData("nope.service.mesh", "Service nope tag=- env=- srv=False")]
    [InlineData("web.service.feature-x.mesh", "Service web tag=- env=feature-x srv=False")]
    [InlineData("v1.web.service.feature-x.mesh", "Service web tag=v1 env=feature-x srv=False")]
    [InlineData("_web._tcp.service.feature-x.mesh", "Service web tag=- env=feature-x srv=True")]
    [InlineData("feature-x.mesh", "Empty")]
    [InlineData("service.feature-x.mesh", "Empty")]
    [InlineData("db-1.node.mesh", "Node db-1")]
    [InlineData("a.b.node.mesh", "Node a.b")]
    [InlineData("0a000001.addr.mesh", "Addr 10.0.0.1")]
    [InlineData("FD000000000000000000000000000001.addr.mesh", "Addr fd00::1")]
    [InlineData("web.mesh", "Gateway")]
    [InlineData("anything.feature-x.test.mesh", "Gateway")]
    [InlineData("a.b.c.feature-x.test.mesh", "Gateway")]
    [InlineData("feature-x.test.mesh", "Empty")]
    [InlineData("test.mesh", "Empty")]
    public void Names_in_the_zone_are_read_by_their_fixed_labels(string name, string expected)
    {
        Assert.Equal(expected, Classify(name));
    }

    [Theory]
    [InlineData("a.b.web.service.mesh")]
    [InlineData("a.v1.web.service.feature-x.mesh")]
    [InlineData("x._web._tcp.service.mesh")]
    [InlineData("nope.mesh")]
    [InlineData("x.web.mesh")]
    [InlineData("x.ns.mesh")]
    [InlineData("x.feature-x.mesh")]
    [InlineData("web.node.feature-x.mesh")]
    [InlineData("x.nope.test.mesh")]
    [InlineData("nope.test.mesh")]
    [InlineData("0a00001.addr.mesh")]
    [InlineData("0a00000g.addr.mesh")]
    [InlineData("x.0a000001.addr.mesh")]
    public void Names_in_the_zone_that_name_nothing_are_missing(string name)
    {
        Assert.Equal("Missing", Classify(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("com")]
    [InlineData("example.com")]
    [InlineData("mesh.example.com")]
    [InlineData("web.service.mesh.example.com")]
    [InlineData("xmesh")]
    public void Names_outside_the_zones_are_outside(string name)
    {
        Assert.Equal("Outside", Classify(name));
    }

    [Theory]
    [InlineData("_web.tcp.service.mesh", "Service tcp tag=_web env=- srv=False")]
    [InlineData("_._tcp.service.mesh", "Service _tcp tag=_ env=- srv=False")]
    [InlineData("_web._.service.mesh", "Service _ tag=_web env=- srv=False")]
    public void Only_two_underscored_labels_make_an_srv_name(string name, string expected)
    {
        Assert.Equal(expected, Classify(name));
    }

    [Theory]
    [InlineData("web.service.service.mesh", "Service service tag=web env=- srv=False")]
    [InlineData("web.service.node.mesh", "Node web.service")]
    [InlineData("web.service.addr.mesh", "Missing")]
    [InlineData("ns.mesh", "NameServer")]
    public void Fixed_labels_are_read_before_environments_of_the_same_name(string name, string expected)
    {
        Assert.Equal(expected, Classify(name, environmentExists: _ => true));
    }

    [Fact]
    public void A_test_domain_outside_the_domain_has_its_own_apex()
    {
        var settings = ZoneSettings.Of("mesh", "test.example", Ttl, [], []);

        Assert.True(settings.TestDomainIsZone);
        Assert.False(Settings.TestDomainIsZone);
        Assert.Equal("Apex", Classify("test.example", settings));
        Assert.Equal("Gateway", Classify("x.feature-x.test.example", settings));
        Assert.Equal("Missing", Classify("test.mesh", settings));
        Assert.Equal("Outside", Classify("example", settings));
    }

    [Theory]
    [InlineData("10.0.0.1", "0a000001")]
    [InlineData("255.1.0.254", "ff0100fe")]
    [InlineData("fd00::1", "fd000000000000000000000000000001")]
    public void An_addr_label_spells_the_address_bytes_in_lowercase_hex(string address, string label)
    {
        Assert.Equal(label, ZoneNames.AddrLabelOf(IPAddress.Parse(address)));
        Assert.Equal($"Addr {address}", Classify($"{label}.addr.mesh"));
    }

    [Fact]
    public void Relative_gives_the_labels_below_a_zone_in_any_case()
    {
        Assert.Equal(["web", "service"], ZoneNames.Relative(["web", "service", "MESH"], DomainName.Parse("mesh"))!);
        Assert.Empty(ZoneNames.Relative(["mesh"], DomainName.Parse("mesh"))!);
        Assert.Null(ZoneNames.Relative(["mesh"], DomainName.Parse("test.mesh")));
        Assert.Null(ZoneNames.Relative(["web", "xmesh"], DomainName.Parse("mesh")));
    }
}
