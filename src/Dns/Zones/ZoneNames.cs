using System.Globalization;
using System.Net;
using ARSoft.Tools.Net;

namespace Mesh.Dns.Zones;

/// <summary>
/// Reads a queried name against Mesh's zones. Fixed labels come first (<c>service</c>, <c>node</c>, <c>addr</c>,
/// <c>ns</c>, the test domain, existing environments); what remains of one label is a gateway host name when the
/// service is known.
/// </summary>
internal static class ZoneNames
{
    public const string ServiceLabel = "service";
    public const string NodeLabel = "node";
    public const string AddrLabel = "addr";
    public const string NameServerLabel = "ns";
    private const string AnyProtocol = "_tcp";

    /// <param name="labels">The queried name's labels, lowercase.</param>
    public static ZoneName Classify(string[] labels, ZoneSettings settings, Func<string, bool> environmentExists, Func<string, bool> serviceKnown)
    {
        if (ReverseAddressOf(labels) is { } reversed) return new ZoneName.Reverse(reversed);
        if (Relative(labels, settings.TestDomain) is { } test)
        {
            if (test.Length == 0) return settings.TestDomainIsZone ? new ZoneName.Apex() : new ZoneName.Empty();
            if (!environmentExists(test[^1])) return new ZoneName.Missing();
            return test.Length == 1 ? new ZoneName.Empty() : new ZoneName.Gateway();
        }
        if (Relative(labels, settings.Domain) is not { } rel) return new ZoneName.Outside();
        if (rel.Length == 0) return new ZoneName.Apex();

        var last = rel[^1];
        switch (last)
        {
            case ServiceLabel:
                return rel.Length == 1 ? new ZoneName.Empty() : ServiceName(rel[..^1], null);
            case NodeLabel:
                return rel.Length == 1 ? new ZoneName.Empty() : new ZoneName.Node(string.Join('.', rel[..^1]));
            case AddrLabel:
                if (rel.Length == 1) return new ZoneName.Empty();
                return rel.Length == 2 && AddressOf(rel[0]) is { } address ? new ZoneName.Addr(address) : new ZoneName.Missing();
            case NameServerLabel when rel.Length == 1:
                return new ZoneName.NameServer();
        }
        if (environmentExists(last))
        {
            if (rel.Length == 1) return new ZoneName.Empty();
            if (rel[^2] != ServiceLabel) return new ZoneName.Missing();
            return rel.Length == 2 ? new ZoneName.Empty() : ServiceName(rel[..^2], last);
        }
        return rel.Length == 1 && serviceKnown(last) ? new ZoneName.Gateway() : new ZoneName.Missing();
    }

    /// <summary>The labels of <paramref name="labels"/> below <paramref name="zone"/>; null when it is not at or under it.</summary>
    public static string[]? Relative(string[] labels, DomainName zone)
    {
        var zoneLabels = zone.Labels;
        if (labels.Length < zoneLabels.Length) return null;
        var offset = labels.Length - zoneLabels.Length;
        for (var i = 0; i < zoneLabels.Length; i++)
            if (!string.Equals(labels[offset + i], zoneLabels[i], StringComparison.OrdinalIgnoreCase)) return null;
        return labels[..offset];
    }

    /// <summary>
    /// The address a whole reverse name spells: four decimal labels under <c>in-addr.arpa</c> (last byte first), or 32
    /// hex nibbles under <c>ip6.arpa</c>. Null for anything else, shorter reverse names (whole networks) included.
    /// </summary>
    public static IPAddress? ReverseAddressOf(string[] labels)
    {
        if (labels.Length == 6 && labels[4] == "in-addr" && labels[5] == "arpa")
        {
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                var label = labels[3 - i];
                // Digits only (NumberStyles.None), 0-255, and no leading zero: "01" is not how an address is written.
                if ((label.Length > 1 && label[0] == '0') || !byte.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i])) return null;
            }
            return new IPAddress(bytes);
        }
        if (labels.Length == 34 && labels[32] == "ip6" && labels[33] == "arpa")
        {
            var bytes = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                var label = labels[31 - i];
                if (label.Length != 1 || !char.IsAsciiHexDigit(label[0])) return null;
                var nibble = Convert.ToByte(label, 16);
                bytes[i / 2] |= (byte)(i % 2 == 0 ? nibble << 4 : nibble);
            }
            return new IPAddress(bytes);
        }
        return null;
    }

    /// <summary>Consul's <c>addr</c> label: 8 hex digits spell an IPv4 address, 32 an IPv6 one.</summary>
    public static string AddrLabelOf(IPAddress address) => Convert.ToHexStringLower(address.GetAddressBytes());

    // [tag.]svc or _svc._tcp / _svc._tag (RFC 2782; Consul reads _tcp as "any tag").
    private static ZoneName ServiceName(string[] labels, string? env)
    {
        if (labels.Length == 2 && labels[0].StartsWith('_') && labels[1].StartsWith('_') && labels[0].Length > 1 && labels[1].Length > 1)
            return new ZoneName.Service(labels[0][1..], labels[1] == AnyProtocol ? null : labels[1][1..], env, Srv: true);
        return labels.Length switch
        {
            1 => new ZoneName.Service(labels[0], null, env, Srv: false),
            2 => new ZoneName.Service(labels[1], labels[0], env, Srv: false),
            _ => new ZoneName.Missing(),
        };
    }

    private static IPAddress? AddressOf(string hex)
    {
        if (hex.Length is not (8 or 32) || !hex.All(char.IsAsciiHexDigit)) return null;
        var bytes = new byte[hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = byte.Parse(hex.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new IPAddress(bytes);
    }
}
