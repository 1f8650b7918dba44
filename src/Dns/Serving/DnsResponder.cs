using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;

namespace Mesh.Dns.Serving;

/// <summary>
/// Turns a read query into response bytes. The common case costs one cache lookup and a copy: the response for
/// (view, type, EDNS, size limit, name) is encoded once per zone snapshot and then only patched (id, RD bit, the
/// asker's letter case) and, for address sets, shuffled.
/// </summary>
internal sealed class DnsResponder(DnsZoneFeed zones, DnsViews views, int maxUdpSize)
{
    private const int MaxKeyLength = 8 + WireQuery.MaxNameLength;

    public ushort UdpSize { get; } = (ushort)maxUdpSize;

    /// <summary>Writes the response to <paramref name="query"/> (read from <paramref name="message"/>) into <paramref name="output"/>; its length and return code.</summary>
    /// <param name="limit">The largest response (TCP: 65535); default: the asker's UDP limit.</param>
    public (int Length, int Code) Respond(ReadOnlySpan<byte> message, in WireQuery query, QueryStatus status, int view, Span<byte> output, int? limit = null)
    {
        switch (status)
        {
            case QueryStatus.FormatError: return (ResponseWriter.Error(output, message, query, (int)ReturnCode.FormatError, UdpSize), (int)ReturnCode.FormatError);
            case QueryStatus.NotImplemented: return (ResponseWriter.Error(output, message, query, (int)ReturnCode.NotImplemented, UdpSize), (int)ReturnCode.NotImplemented);
            case QueryStatus.BadVersion: return (ResponseWriter.Error(output, message, query, (int)ReturnCode.BadVersion, UdpSize), (int)ReturnCode.BadVersion);
        }

        var max = limit ?? query.UdpLimit(maxUdpSize);
        var name = message[WireQuery.HeaderLength..query.NameEnd];
        Span<char> key = stackalloc char[MaxKeyLength];
        key[0] = (char)view;
        key[1] = (char)query.Type;
        key[2] = (char)((query.Edns ? 1 : 0) | (query.DnssecOk ? 2 : 0));
        key[3] = (char)max;
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            key[4 + i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }
        key = key[..(4 + name.Length)];

        var snapshot = zones.Current;
        if (!snapshot.TryGet(key, out var response))
        {
            var lower = new byte[name.Length];
            for (var i = 0; i < lower.Length; i++) lower[i] = (byte)key[4 + i];
            var answer = snapshot.Zone.Answer(new DomainName(ResponseWriter.Labels(lower)), (RecordType)query.Type, views.Names[view]);
            response = ResponseWriter.Answer(lower, query.Type, answer, query, UdpSize, max);
            snapshot.Add(key, response);
        }

        var bytes = response.Bytes;
        bytes.CopyTo(output);
        var written = output[..bytes.Length];
        ResponseWriter.Patch(written, message, query);
        if (response.Shuffles) ResponseWriter.Shuffle(written, response);
        return (bytes.Length, (int)response.Code);
    }

}
