using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Projections.Environments;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Dns.Zones;

/// <summary>
/// Mesh's zones as of one <see cref="RegistryState"/>: a pure function from (name, type, view) to a
/// <see cref="ZoneAnswer"/>. Build one per state with <see cref="Of"/>.
/// <list type="bullet">
/// <item>Service names answer the passing instances of the environment that serves the service for the view
/// (its own, else along its fallback chain to integration; <see cref="EnvironmentView.Resolve"/>).</item>
/// <item>A name exists while something is registered under it, passing or not: a service whose instances all fail
/// is NOERROR with no records (NODATA), not NXDOMAIN, so resolvers do not cache its absence for every type.</item>
/// <item>Instances registered with a host name instead of an IP address appear in SRV answers (the host name is the
/// target), not in A/AAAA answers: a CNAME cannot share a name with other records.</item>
/// </list>
/// </summary>
public sealed class ZoneView
{
    private const ushort SrvPriority = 1;
    private const ushort SrvWeight = 1;

    private readonly ZoneSettings _settings;
    // Node names are rare questions; grouping every instance by node is left until the first one.
    private readonly Lazy<ImmutableSortedDictionary<string, ImmutableArray<IPAddress>>> _nodes;
    // Reverse names are rarer still: the services at each address are grouped on the first PTR question.
    private readonly Lazy<Dictionary<IPAddress, ImmutableArray<DomainName>>> _reverse;
    private readonly DomainName _nameServer;
    private readonly DomainName _addrZone;

    private ZoneView(RegistryState state, ZoneSettings settings)
    {
        State = state;
        _settings = settings;
        Environments = EnvironmentView.Of(state);
        _nameServer = settings.Domain.Child(ZoneNames.NameServerLabel);
        _addrZone = settings.Domain.Child(ZoneNames.AddrLabel);
        _nodes = new(() => state.Instances.Values
            .Where(i => i.Registration is not null)
            .GroupBy(i => i.Registration!.Node.ToLowerInvariant(), StringComparer.Ordinal)
            .ToImmutableSortedDictionary(
                g => g.Key,
                g => g.Select(i => IPAddress.TryParse(i.Registration!.Address, out var a) ? a : null).OfType<IPAddress>().Distinct().Order(AddressOrder.Instance).ToImmutableArray(),
                StringComparer.Ordinal));
        _reverse = new(() => ServicesByAddress(state, settings));
    }

    public RegistryState State { get; }

    public long Position => State.Position;

    public EnvironmentView Environments { get; }

    public ZoneSettings Settings => _settings;

    public static ZoneView Of(RegistryState state, ZoneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return new ZoneView(state, settings);
    }

    /// <summary>The answer to <paramref name="name"/> <paramref name="type"/> asked from <paramref name="view"/> (an environment).</summary>
    public ZoneAnswer Answer(DomainName name, RecordType type, string view)
    {
        ArgumentNullException.ThrowIfNull(name);
        var labels = Array.ConvertAll(name.Labels, l => l.ToLowerInvariant());
        name = new DomainName(labels);
        var zoneName = ZoneNames.Classify(labels, _settings, Environments.Exists, State.Services.ContainsKey);
        // Zone transfers are not offered: the zone is the registry, which /v1/health and the event log already serve.
        if (type is RecordType.Axfr or RecordType.Ixfr && zoneName is not ZoneName.Outside) return ZoneAnswer.NotImplemented;
        return zoneName switch
        {
            ZoneName.Outside => ZoneAnswer.Refused,
            ZoneName.Missing => Negative(ReturnCode.NxDomain, labels),
            ZoneName.Empty => Negative(ReturnCode.NoError, labels),
            ZoneName.Apex => ApexAnswer(name, type, labels),
            ZoneName.NameServer => Addresses(name, type, _settings.NameServerAddresses, labels, shuffled: false),
            ZoneName.Gateway => Addresses(name, type, _settings.GatewayAddresses, labels, shuffled: false),
            ZoneName.Addr addr => Addresses(name, type, [addr.Address], labels, shuffled: false),
            ZoneName.Node node => _nodes.Value.TryGetValue(node.Name, out var nodeAddresses)
                ? Addresses(name, type, nodeAddresses, labels, shuffled: false)
                : Negative(ReturnCode.NxDomain, labels),
            ZoneName.Service service => ServiceAnswer(name, type, service, view, labels),
            ZoneName.Reverse reverse => ReverseAnswer(name, type, reverse.Address),
            _ => throw new InvalidOperationException($"unknown zone name {zoneName}"),
        };
    }

    private ZoneAnswer ServiceAnswer(DomainName name, RecordType type, ZoneName.Service query, string view, string[] labels)
    {
        var env = query.Env ?? view;
        var resolution = Environments.Resolve(env, query.Name);
        if (!resolution.Found) return Negative(ReturnCode.NxDomain, labels);
        var registered = query.Tag is null ? resolution.Instances : [.. resolution.Instances.Where(i => i.Registration!.Tags.Contains(query.Tag, StringComparer.OrdinalIgnoreCase))];
        if (registered.IsEmpty) return Negative(ReturnCode.NxDomain, labels);
        var passing = registered.Where(i => i.Status == HealthStatus.Passing).Select(i => i.Registration!).ToList();

        if (query.Srv || type == RecordType.Srv)
            return type is RecordType.Srv or RecordType.Any ? SrvAnswer(name, passing, labels) : Negative(ReturnCode.NoError, labels);
        var addresses = passing.Select(r => IPAddress.TryParse(r.Address, out var a) ? a : null).OfType<IPAddress>().Distinct().Order(AddressOrder.Instance);
        return Addresses(name, type, [.. addresses], labels, shuffled: true);
    }

    /// <summary>
    /// PTR to the service name of every instance registered at the address, passing or not (the address is theirs
    /// either way): <c>web.service.mesh</c>, or <c>web.service.feature-x.mesh</c> for another environment. The reverse
    /// zones are not Mesh's, so an address no instance has is REFUSED (and forwarded when upstreams are set), and other
    /// types get an empty answer without an SOA.
    /// </summary>
    private ZoneAnswer ReverseAnswer(DomainName name, RecordType type, IPAddress address)
    {
        if (!_reverse.Value.TryGetValue(address, out var services)) return ZoneAnswer.Refused;
        if (type is not (RecordType.Ptr or RecordType.Any)) return new ZoneAnswer(ReturnCode.NoError, [], [], []);
        return new ZoneAnswer(ReturnCode.NoError, [.. services.Select(s => new PtrRecord(name, _settings.Ttl, s))], [], []);
    }

    private static Dictionary<IPAddress, ImmutableArray<DomainName>> ServicesByAddress(RegistryState state, ZoneSettings settings) =>
        state.Instances.Values
            .Select(i => i.Registration)
            .Select(r => (Registration: r, Address: r is not null && IPAddress.TryParse(r.Address, out var a) ? a : null))
            .Where(p => p.Address is not null)
            .GroupBy(p => p.Address!)
            .ToDictionary(
                g => g.Key,
                g => g.Select(p => (Service: p.Registration!.Service.ToLowerInvariant(), p.Registration.Env))
                    .Distinct()
                    .OrderBy(p => p.Service, StringComparer.Ordinal).ThenBy(p => p.Env != EnvironmentNames.Integration).ThenBy(p => p.Env, StringComparer.Ordinal)
                    .Select(p => p.Env == EnvironmentNames.Integration
                        ? new DomainName([p.Service, ZoneNames.ServiceLabel, .. settings.Domain.Labels])
                        : new DomainName([p.Service, ZoneNames.ServiceLabel, p.Env, .. settings.Domain.Labels]))
                    .ToImmutableArray());

    private ZoneAnswer SrvAnswer(DomainName name, List<InstanceRegistered> passing, string[] labels)
    {
        if (passing.Count == 0) return Negative(ReturnCode.NoError, labels);
        var answers = ImmutableArray.CreateBuilder<DnsRecordBase>();
        var additional = ImmutableArray.CreateBuilder<DnsRecordBase>();
        var targets = new HashSet<DomainName>();
        foreach (var r in passing.OrderBy(r => r.InstanceId, StringComparer.Ordinal))
        {
            DomainName target;
            if (IPAddress.TryParse(r.Address, out var address))
            {
                target = _addrZone.Child(ZoneNames.AddrLabelOf(address));
                if (targets.Add(target)) additional.Add(AddressRecord(target, address));
            }
            else
            {
                target = DomainName.Parse(r.Address);
            }
            answers.Add(new SrvRecord(name, _settings.Ttl, SrvPriority, SrvWeight, (ushort)r.Port, target));
        }
        return new ZoneAnswer(ReturnCode.NoError, answers.ToImmutable(), [], additional.ToImmutable());
    }

    private ZoneAnswer ApexAnswer(DomainName name, RecordType type, string[] labels)
    {
        var soa = Soa(labels);
        var ns = new NsRecord(name, _settings.Ttl, _nameServer);
        var glue = _settings.NameServerAddresses.Select(a => AddressRecord(_nameServer, a)).ToImmutableArray();
        return type switch
        {
            RecordType.Soa => new ZoneAnswer(ReturnCode.NoError, [soa], [], []),
            RecordType.Ns => new ZoneAnswer(ReturnCode.NoError, [ns], [], glue),
            RecordType.Any => new ZoneAnswer(ReturnCode.NoError, [soa, ns], [], glue),
            _ => Negative(ReturnCode.NoError, labels),
        };
    }

    private ZoneAnswer Addresses(DomainName name, RecordType type, ImmutableArray<IPAddress> addresses, string[] labels, bool shuffled)
    {
        var family = type switch
        {
            RecordType.A => AddressFamily.InterNetwork,
            RecordType.Aaaa => AddressFamily.InterNetworkV6,
            RecordType.Any => AddressFamily.Unspecified,
            _ => (AddressFamily?)null,
        };
        if (family is not { } f) return Negative(ReturnCode.NoError, labels);
        var records = addresses.Where(a => f == AddressFamily.Unspecified || a.AddressFamily == f).Select(a => AddressRecord(name, a)).ToImmutableArray();
        return records.IsEmpty ? Negative(ReturnCode.NoError, labels) : new ZoneAnswer(ReturnCode.NoError, records, [], [], shuffled && records.Length > 1);
    }

    private DnsRecordBase AddressRecord(DomainName name, IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? new AaaaRecord(name, _settings.Ttl, address)
            : new ARecord(name, _settings.Ttl, address);

    // A negative answer carries its zone's SOA, whose minimum (the negative-caching TTL) is the same low TTL: a name
    // that appears a moment later is not cached away.
    private ZoneAnswer Negative(ReturnCode code, string[] labels) => new(code, [], [Soa(labels)], []);

    private SoaRecord Soa(string[] labels)
    {
        var zone = _settings.TestDomainIsZone && ZoneNames.Relative(labels, _settings.TestDomain) is not null ? _settings.TestDomain : _settings.Domain;
        return new SoaRecord(zone, _settings.Ttl, _nameServer, _settings.Domain.Child("hostmaster"),
            unchecked((uint)State.Position), 3600, 600, 86400, _settings.Ttl);
    }

    /// <summary>IPv4 before IPv6, then by bytes: answers list addresses in one order before any shuffle.</summary>
    private sealed class AddressOrder : IComparer<IPAddress>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            if (x is null || y is null) return (x is null).CompareTo(y is null);
            var family = x.AddressFamily.CompareTo(y.AddressFamily);
            return family != 0 ? family : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
        }
    }
}

internal static class DomainNameExtensions
{
    /// <summary>The name <paramref name="label"/><c>.</c><paramref name="name"/>.</summary>
    public static DomainName Child(this DomainName name, string label) => new([label, .. name.Labels]);
}
