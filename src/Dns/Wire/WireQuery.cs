using System.Buffers.Binary;

namespace Mesh.Dns.Wire;

/// <summary>What the UDP path does with a datagram, after reading only its header, question and OPT record.</summary>
internal enum QueryStatus
{
    /// <summary>One IN question, at most an OPT record: answer it.</summary>
    Ok,

    /// <summary>Too short for a header, or a response: answering could feed a loop or a reflection, so nothing is sent.</summary>
    Drop,

    FormatError,
    NotImplemented,

    /// <summary>An EDNS version other than 0 (RFC 6891).</summary>
    BadVersion,
}

/// <summary>
/// A query as read from the wire. The question name is the bytes from offset 12 to <see cref="NameEnd"/>, in the
/// asker's letter case; <see cref="QuestionEnd"/> is 0 when no whole question was read.
/// </summary>
internal readonly record struct WireQuery(
    ushort Id,
    byte Opcode,
    bool RecursionDesired,
    int NameEnd,
    int QuestionEnd,
    ushort Type,
    ushort Class,
    bool Edns,
    ushort UdpSize,
    bool DnssecOk)
{
    public const int HeaderLength = 12;
    public const int MaxNameLength = 255;
    public const ushort ClassIn = 1;
    public const ushort TypeOpt = 41;

    public bool HasQuestion => QuestionEnd > 0;

    /// <summary>
    /// Reads <paramref name="message"/> without allocating. Anything beyond one question and one OPT record (more
    /// questions, answer or authority records, a TSIG, a compression pointer in the question) is a format error:
    /// Mesh answers plain queries only.
    /// </summary>
    public static QueryStatus Read(ReadOnlySpan<byte> message, out WireQuery query)
    {
        query = default;
        if (message.Length < HeaderLength || (message[2] & 0x80) != 0) return QueryStatus.Drop;
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var opcode = (byte)((message[2] >> 3) & 0x0F);
        var rd = (message[2] & 0x01) != 0;
        query = new WireQuery(id, opcode, rd, 0, 0, 0, 0, false, 0, false);
        if (opcode != 0) return QueryStatus.NotImplemented;

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authority = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additional = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions != 1 || answers != 0 || authority != 0 || additional > 1) return QueryStatus.FormatError;

        var pos = HeaderLength;
        while (true)
        {
            if (pos >= message.Length) return QueryStatus.FormatError;
            int length = message[pos];
            if (length == 0) { pos++; break; }
            if ((length & 0xC0) != 0 || pos + 1 + length > message.Length) return QueryStatus.FormatError;
            pos += 1 + length;
            if (pos - HeaderLength + 1 > MaxNameLength) return QueryStatus.FormatError;
        }
        var nameEnd = pos;
        if (pos + 4 > message.Length) return QueryStatus.FormatError;
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[pos..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
        pos += 4;
        query = query with { NameEnd = nameEnd, QuestionEnd = pos, Type = type, Class = cls };

        if (additional == 1)
        {
            // OPT: root name, type 41, class = UDP payload size, TTL = extended rcode, version, flags; then RDATA.
            if (pos + 11 > message.Length || message[pos] != 0 || BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 1)..]) != TypeOpt)
                return QueryStatus.FormatError;
            var udpSize = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 3)..]);
            var version = message[pos + 6];
            var dnssecOk = (message[pos + 7] & 0x80) != 0;
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 9)..]);
            if (pos + 11 + rdLength > message.Length) return QueryStatus.FormatError;
            query = query with { Edns = true, UdpSize = udpSize, DnssecOk = dnssecOk };
            if (version != 0) return QueryStatus.BadVersion;
            pos += 11 + rdLength;
        }
        // Bytes past what the counts describe are not a query Mesh understands (BIND answers FORMERR too).
        if (pos != message.Length) return QueryStatus.FormatError;
        return cls == ClassIn ? QueryStatus.Ok : QueryStatus.NotImplemented;
    }

    /// <summary>The largest UDP response this asker takes: 512 without EDNS, else its size within [512, <paramref name="max"/>].</summary>
    public int UdpLimit(int max) => Edns ? Math.Clamp((int)UdpSize, 512, max) : 512;
}
