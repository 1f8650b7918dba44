using System.Buffers.Binary;
using System.Text;

namespace Mesh.Dns.Tests.Wire;

/// <summary>DNS queries as bytes, built field by field so that each field can also be wrong.</summary>
internal static class QueryBytes
{
    public const ushort TypeA = 1;
    public const ushort TypeSrv = 33;
    public const ushort TypeOpt = 41;
    public const ushort ClassIn = 1;
    public const ushort ClassCh = 3;

    /// <summary>The 12-byte header: id, flags (QR, opcode, RD), and the four section counts.</summary>
    public static byte[] Header(ushort id = 0x1234, bool response = false, int opcode = 0, bool rd = true,
        ushort questions = 1, ushort answers = 0, ushort authority = 0, ushort additional = 0)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = (byte)((response ? 0x80 : 0) | ((opcode & 0x0F) << 3) | (rd ? 0x01 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), questions);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), answers);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), authority);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), additional);
        return header;
    }

    /// <summary>A name in wire form, uncompressed, in the letter case given.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] Question(string name, ushort type = TypeA, ushort cls = ClassIn) => [.. Name(name), .. UShort(type), .. UShort(cls)];

    /// <summary>An OPT record: root name, type 41, the payload size as class, extended rcode, version, DO bit; then RDATA.</summary>
    public static byte[] Opt(ushort udpSize = 1232, byte version = 0, bool dnssecOk = false, byte[]? rdata = null, byte extendedCode = 0)
    {
        rdata ??= [];
        return [0, .. UShort(TypeOpt), .. UShort(udpSize), extendedCode, version, (byte)(dnssecOk ? 0x80 : 0), 0, .. UShort((ushort)rdata.Length), .. rdata];
    }

    /// <summary>A plain query: one question, and an OPT record when <paramref name="opt"/> is given.</summary>
    public static byte[] Query(string name, ushort type = TypeA, ushort id = 0x1234, bool rd = true, byte[]? opt = null, ushort cls = ClassIn) =>
        [.. Header(id, rd: rd, additional: (ushort)(opt is null ? 0 : 1)), .. Question(name, type, cls), .. opt ?? []];

    public static byte[] UShort(ushort value) => [(byte)(value >> 8), (byte)value];
}
