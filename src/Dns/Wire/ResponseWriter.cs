using System.Buffers.Binary;
using System.Net;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Zones;

namespace Mesh.Dns.Wire;

/// <summary>
/// Encodes responses for the UDP path (ARSoft.Tools.Net keeps its encoder internal, and the hot path wants bytes it
/// can cache). Writes the record types a <see cref="ZoneView"/> produces — A, AAAA, SRV, SOA, NS, CNAME — with name
/// compression (not in SRV targets, RFC 2782), and truncates to the asker's limit: answer or authority records that do
/// not fit set TC; additional records that do not fit are left out (RFC 2181 §9).
/// </summary>
internal static class ResponseWriter
{
    private const int OptLength = 11;

    /// <param name="question">The question name in wire form, lowercase.</param>
    public static WireResponse Answer(ReadOnlySpan<byte> question, ushort type, ZoneAnswer answer, in WireQuery query, ushort ourUdpSize, int limit)
    {
        var builder = new Builder(limit);
        var code = (int)answer.Code;
        builder.Header(query.Opcode, authoritative: answer.Authoritative, code);
        builder.Question(question, type, WireQuery.ClassIn);
        var room = limit - (query.Edns ? OptLength : 0);

        var answerOffset = builder.Position;
        var (answers, answersFit) = builder.Records(answer.Answers, room);
        var recordLength = answers > 0 && answer.Shuffled ? builder.UniformLength(answerOffset, answers) : 0;
        var (authority, authorityFit) = answersFit ? builder.Records(answer.Authority, room) : (0, false);
        var (additional, _) = authorityFit ? builder.Records(answer.Additional, room) : (0, false);
        var truncated = !answersFit || !authorityFit;
        if (query.Edns) { builder.Opt(ourUdpSize, code >> 4, query.DnssecOk); additional++; }
        builder.Counts(1, answers, authority, additional, truncated);
        return new WireResponse(builder.ToArray(), answer.Code, truncated, answerOffset, answers, truncated ? 0 : recordLength);
    }

    /// <summary>
    /// A response with no records: FORMERR, NOTIMP, BADVERS (extended code, needs EDNS), REFUSED or an empty TC
    /// (<paramref name="truncated"/>). It echoes the question when one was read.
    /// </summary>
    public static int Error(Span<byte> destination, ReadOnlySpan<byte> message, in WireQuery query, int code, ushort ourUdpSize, bool truncated = false)
    {
        var builder = new Builder(512);
        builder.Header(query.Opcode, authoritative: false, code);
        var questions = 0;
        if (query.HasQuestion)
        {
            builder.Raw(message[WireQuery.HeaderLength..query.QuestionEnd]);
            questions = 1;
        }
        var additional = 0;
        if (query.Edns) { builder.Opt(ourUdpSize, code >> 4, query.DnssecOk); additional = 1; }
        builder.Counts(questions, 0, 0, additional, truncated);
        var bytes = builder.Span;
        bytes.CopyTo(destination);
        Patch(destination, message, query);
        return bytes.Length;
    }

    /// <summary>Puts the asker's id, RD bit and question letter case into a cached response copied to <paramref name="response"/>.</summary>
    public static void Patch(Span<byte> response, ReadOnlySpan<byte> message, in WireQuery query)
    {
        BinaryPrimitives.WriteUInt16BigEndian(response, query.Id);
        if (query.RecursionDesired) response[2] |= 0x01;
        if (query.HasQuestion) message[WireQuery.HeaderLength..query.NameEnd].CopyTo(response[WireQuery.HeaderLength..]);
    }

    /// <summary>Shuffles the uniform answer records of <paramref name="response"/> in place (Fisher–Yates).</summary>
    public static void Shuffle(Span<byte> response, WireResponse cached)
    {
        var n = cached.AnswerCount;
        var size = cached.RecordLength;
        Span<byte> swap = stackalloc byte[size];
        for (var i = n - 1; i > 0; i--)
        {
            var j = Random.Shared.Next(i + 1);
            if (j == i) continue;
            var a = response.Slice(cached.AnswerOffset + i * size, size);
            var b = response.Slice(cached.AnswerOffset + j * size, size);
            a.CopyTo(swap);
            b.CopyTo(a);
            swap.CopyTo(b);
        }
    }

    /// <summary>A name's wire form, lowercase (for cache keys and compression).</summary>
    public static byte[] WireName(DomainName name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Labels)
        {
            var encoded = Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            bytes.Add((byte)encoded.Length);
            bytes.AddRange(encoded);
        }
        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>The labels of a wire-form name (no compression pointers), as ASCII strings.</summary>
    public static string[] Labels(ReadOnlySpan<byte> wireName)
    {
        var labels = new List<string>();
        for (var pos = 0; pos < wireName.Length && wireName[pos] != 0; pos += 1 + wireName[pos])
            labels.Add(Encoding.Latin1.GetString(wireName.Slice(pos + 1, wireName[pos])));
        return [.. labels];
    }

    private sealed class Builder(int limit)
    {
        private readonly byte[] _buffer = new byte[Math.Max(limit, 512) + 1024];
        private readonly Dictionary<string, int> _names = new(StringComparer.OrdinalIgnoreCase);
        private int _pos;

        public int Position => _pos;

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _pos);

        public byte[] ToArray() => _buffer.AsSpan(0, _pos).ToArray();

        public void Header(byte opcode, bool authoritative, int code)
        {
            _buffer.AsSpan(0, WireQuery.HeaderLength).Clear();
            _buffer[2] = (byte)(0x80 | (opcode << 3) | (authoritative ? 0x04 : 0));
            _buffer[3] = (byte)(code & 0x0F);
            _pos = WireQuery.HeaderLength;
        }

        public void Counts(int questions, int answers, int authority, int additional, bool truncated)
        {
            if (truncated) _buffer[2] |= 0x02;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(4), (ushort)questions);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(6), (ushort)answers);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(8), (ushort)authority);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(10), (ushort)additional);
        }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_pos));
            _pos += bytes.Length;
        }

        public void Question(ReadOnlySpan<byte> name, ushort type, ushort cls)
        {
            Remember(Labels(name), _pos);
            Raw(name);
            UShort(type);
            UShort(cls);
        }

        public void Opt(ushort udpSize, int extendedCode, bool dnssecOk)
        {
            _buffer[_pos++] = 0;
            UShort(WireQuery.TypeOpt);
            UShort(udpSize);
            _buffer[_pos++] = (byte)extendedCode;
            _buffer[_pos++] = 0;
            UShort(dnssecOk ? (ushort)0x8000 : (ushort)0);
            UShort(0);
        }

        /// <summary>Writes records while they fit in <paramref name="room"/>; how many were written, and whether all were.</summary>
        public (int Written, bool All) Records(IReadOnlyList<DnsRecordBase> records, int room)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var start = _pos;
                Record(records[i]);
                if (_pos > room)
                {
                    _pos = start;
                    return (i, false);
                }
            }
            return (records.Count, true);
        }

        /// <summary>The common length of <paramref name="count"/> records from <paramref name="offset"/>, or 0.</summary>
        public int UniformLength(int offset, int count)
        {
            var length = (_pos - offset) / count;
            if (length * count != _pos - offset) return 0;
            for (var i = 0; i < count; i++)
                if (RecordEnd(offset + i * length) != offset + (i + 1) * length) return 0;
            return length;
        }

        private int RecordEnd(int pos)
        {
            while (_buffer[pos] != 0 && (_buffer[pos] & 0xC0) == 0) pos += 1 + _buffer[pos];
            pos += _buffer[pos] == 0 ? 1 : 2;
            return pos + 10 + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(pos + 8));
        }

        private void Record(DnsRecordBase record)
        {
            Name(record.Name, compress: true);
            UShort((ushort)record.RecordType);
            UShort((ushort)record.RecordClass);
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_pos), record.TimeToLive);
            _pos += 4;
            var lengthAt = _pos;
            _pos += 2;
            switch (record)
            {
                case ARecord a: Address(a.Address); break;
                case AaaaRecord aaaa: Address(aaaa.Address); break;
                case NsRecord ns: Name(ns.NameServer, compress: true); break;
                case CNameRecord cname: Name(cname.CanonicalName, compress: true); break;
                case PtrRecord ptr: Name(ptr.PointerDomainName, compress: true); break;
                case SrvRecord srv:
                    UShort(srv.Priority);
                    UShort(srv.Weight);
                    UShort(srv.Port);
                    Name(srv.Target, compress: false);
                    break;
                case SoaRecord soa:
                    Name(soa.MasterName, compress: true);
                    Name(soa.ResponsibleName, compress: true);
                    UInt(soa.SerialNumber);
                    UInt((uint)soa.RefreshInterval);
                    UInt((uint)soa.RetryInterval);
                    UInt((uint)soa.ExpireInterval);
                    UInt((uint)soa.NegativeCachingTTL);
                    break;
                default:
                    throw new NotSupportedException($"the UDP path does not encode {record.RecordType} records");
            }
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)(_pos - lengthAt - 2));
        }

        private void Address(IPAddress address)
        {
            address.TryWriteBytes(_buffer.AsSpan(_pos), out var written);
            _pos += written;
        }

        private void Name(DomainName name, bool compress)
        {
            var labels = name.Labels;
            for (var i = 0; i < labels.Length; i++)
            {
                var suffix = string.Join('.', labels[i..]);
                if (compress && _names.TryGetValue(suffix, out var at))
                {
                    UShort((ushort)(0xC000 | at));
                    return;
                }
                if (_pos < 0x3FFF) _names.TryAdd(suffix, _pos);
                var bytes = Encoding.ASCII.GetBytes(labels[i]);
                _buffer[_pos++] = (byte)bytes.Length;
                Raw(bytes);
            }
            _buffer[_pos++] = 0;
        }

        private void Remember(string[] labels, int at)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                if (at < 0x3FFF) _names.TryAdd(string.Join('.', labels[i..]), at);
                at += 1 + Encoding.Latin1.GetByteCount(labels[i]);
            }
        }

        private void UShort(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_pos), value);
            _pos += 2;
        }

        private void UInt(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_pos), value);
            _pos += 4;
        }
    }
}
