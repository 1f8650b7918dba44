using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Wire;

/// <summary>What the UDP path does with a query and its zone answer: read, encode, patch for the asker.</summary>
internal static class WireEncoding
{
    public const ushort OurUdpSize = 1232;

    /// <summary>
    /// <paramref name="message"/> read, <paramref name="answer"/> encoded for it (at <paramref name="limit"/>, else the
    /// asker's limit), and patched with its id, RD bit and letter case: the bytes a client would get.
    /// </summary>
    public static (byte[] Bytes, WireResponse Response) Respond(byte[] message, ZoneAnswer answer, int? limit = null)
    {
        Assert.Equal(QueryStatus.Ok, WireQuery.Read(message, out var query));
        var name = new DomainName(ResponseWriter.Labels(message.AsSpan(WireQuery.HeaderLength, query.NameEnd - WireQuery.HeaderLength)));
        var response = ResponseWriter.Answer(ResponseWriter.WireName(name), query.Type, answer, query, OurUdpSize, limit ?? query.UdpLimit(OurUdpSize));
        var bytes = response.Bytes.ToArray();
        ResponseWriter.Patch(bytes, message, query);
        return (bytes, response);
    }

    public static (byte[] Bytes, WireResponse Response) Respond(ZoneView zone, string name, RecordType type, byte[]? opt = null, int? limit = null)
    {
        var message = QueryBytes.Query(name, (ushort)type, opt: opt);
        return Respond(message, zone.Ask(name, type), limit);
    }
}
