using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Dns.Tests.Common;

/// <summary>DNS messages as bytes: queries built field by field (also wrong ones), responses read back.</summary>
internal static class RawDns
{
    public const ushort TypeA = 1;
    public const ushort TypeNs = 2;
    public const ushort TypeSoa = 6;
    public const ushort TypeAaaa = 28;
    public const ushort TypeSrv = 33;
    public const ushort TypeOpt = 41;
    public const ushort ClassIn = 1;
    public const ushort ClassCh = 3;
    public const int HeaderLength = 12;

    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int BadVers = 16;

    /// <summary>
    /// A query for <paramref name="name"/>. <paramref name="ednsSize"/> adds an OPT record with that UDP payload size
    /// (and <paramref name="ednsVersion"/>, <paramref name="ednsPadding"/> bytes of EDNS padding option);
    /// <paramref name="questionCount"/> repeats the question that many times.
    /// </summary>
    public static byte[] Query(string name, ushort type, ushort id, ushort cls = ClassIn, int? ednsSize = null, byte ednsVersion = 0,
        byte opcode = 0, int questionCount = 1, int ednsPadding = 0, bool recursionDesired = true)
    {
        var bytes = new List<byte>();
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = (byte)((opcode & 0x0F) << 3 | (recursionDesired ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)questionCount);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), (ushort)(ednsSize is null ? 0 : 1));
        bytes.AddRange(header);
        for (var i = 0; i < questionCount; i++)
        {
            bytes.AddRange(Name(name));
            bytes.AddRange(UShort(type));
            bytes.AddRange(UShort(cls));
        }
        if (ednsSize is { } size)
        {
            bytes.Add(0);
            bytes.AddRange(UShort(TypeOpt));
            bytes.AddRange(UShort((ushort)size));
            bytes.Add(0);
            bytes.Add(ednsVersion);
            bytes.AddRange(UShort(0));
            var rdata = ednsPadding > 0 ? [.. UShort(12), .. UShort((ushort)ednsPadding), .. new byte[ednsPadding]] : Array.Empty<byte>();
            bytes.AddRange(UShort((ushort)rdata.Length));
            bytes.AddRange(rdata);
        }
        return [.. bytes];
    }

    /// <summary>A name's wire form (no compression); a trailing dot is optional.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var encoded = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)encoded.Length);
            bytes.AddRange(encoded);
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public static ushort IdOf(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    private static byte[] UShort(ushort value) => [(byte)(value >> 8), (byte)value];
}

internal sealed record RawQuestion(string Name, ushort Type, ushort Class);

/// <summary>A record as read: its name, type, class, TTL and RDATA; <see cref="Text"/> reads A/AAAA/SRV/NS RDATA.</summary>
internal sealed record RawRecord(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data, string Text)
{
    public IPAddress Address => Type is RawDns.TypeA or RawDns.TypeAaaa ? new IPAddress(Data) : throw new InvalidOperationException($"type {Type} has no address");

    public override string ToString() => $"{Name} {Ttl} {Class} {Type} {Text}";
}

/// <summary>A DNS message as read from the wire, with its header flags and sections.</summary>
internal sealed record RawMessage(
    ushort Id,
    bool IsResponse,
    int Opcode,
    bool Authoritative,
    bool Truncated,
    bool RecursionDesired,
    int HeaderRcode,
    int Length,
    IReadOnlyList<RawQuestion> Questions,
    IReadOnlyList<RawRecord> Answers,
    IReadOnlyList<RawRecord> Authority,
    IReadOnlyList<RawRecord> Additional)
{
    public RawRecord? Opt => Additional.FirstOrDefault(r => r.Type == RawDns.TypeOpt);

    /// <summary>The full response code: the header's 4 bits and, with EDNS, the OPT record's upper 8.</summary>
    public int Rcode => Opt is { } opt ? (int)(opt.Ttl >> 24) << 4 | HeaderRcode : HeaderRcode;

    public IReadOnlyList<IPAddress> Addresses => [.. Answers.Where(r => r.Type is RawDns.TypeA or RawDns.TypeAaaa).Select(r => r.Address)];

    public static RawMessage Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < RawDns.HeaderLength) throw new FormatException($"a DNS message of {message.Length} bytes has no header");
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++) counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + 2 * i)..]);
        var pos = RawDns.HeaderLength;
        var questions = new List<RawQuestion>();
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(message, ref pos);
            questions.Add(new RawQuestion(name, U16(message, pos), U16(message, pos + 2)));
            pos += 4;
        }
        var sections = new List<RawRecord>[3];
        for (var s = 0; s < 3; s++)
        {
            sections[s] = [];
            for (var i = 0; i < counts[s + 1]; i++) sections[s].Add(ReadRecord(message, ref pos));
        }
        if (pos != message.Length) throw new FormatException($"{message.Length - pos} bytes after the last record");
        return new RawMessage(
            BinaryPrimitives.ReadUInt16BigEndian(message), (flags & 0x8000) != 0, (flags >> 11) & 0x0F, (flags & 0x0400) != 0,
            (flags & 0x0200) != 0, (flags & 0x0100) != 0, flags & 0x0F, message.Length, questions, sections[0], sections[1], sections[2]);
    }

    private static RawRecord ReadRecord(ReadOnlySpan<byte> message, ref int pos)
    {
        var name = ReadName(message, ref pos);
        var type = U16(message, pos);
        var cls = U16(message, pos + 2);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(pos + 4)..]);
        var length = U16(message, pos + 8);
        pos += 10;
        if (pos + length > message.Length) throw new FormatException($"RDATA of {length} bytes runs past the message");
        var data = message.Slice(pos, length).ToArray();
        var text = type switch
        {
            RawDns.TypeA or RawDns.TypeAaaa => new IPAddress(data).ToString(),
            RawDns.TypeSrv => $"{U16(message, pos)} {U16(message, pos + 2)} {U16(message, pos + 4)} {ReadNameAt(message, pos + 6)}",
            RawDns.TypeNs => ReadNameAt(message, pos),
            RawDns.TypeSoa => ReadNameAt(message, pos),
            _ => Convert.ToHexString(data),
        };
        pos += length;
        return new RawRecord(name, type, cls, ttl, data, text);
    }

    private static string ReadNameAt(ReadOnlySpan<byte> message, int pos) => ReadName(message, ref pos);

    private static string ReadName(ReadOnlySpan<byte> message, ref int pos)
    {
        var labels = new List<string>();
        var at = pos;
        var jumped = false;
        for (var hops = 0; ; hops++)
        {
            if (hops > 128 || at >= message.Length) throw new FormatException("a name runs past the message or loops");
            int length = message[at];
            if (length == 0)
            {
                if (!jumped) pos = at + 1;
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length) throw new FormatException("a compression pointer runs past the message");
                var target = (length & 0x3F) << 8 | message[at + 1];
                if (!jumped) pos = at + 2;
                jumped = true;
                at = target;
                continue;
            }
            if ((length & 0xC0) != 0 || at + 1 + length > message.Length) throw new FormatException("a label runs past the message");
            labels.Add(Encoding.Latin1.GetString(message.Slice(at + 1, length)));
            at += 1 + length;
        }
        return labels.Count == 0 ? "." : string.Join('.', labels) + ".";
    }

    private static ushort U16(ReadOnlySpan<byte> message, int pos) =>
        pos + 2 <= message.Length ? BinaryPrimitives.ReadUInt16BigEndian(message[pos..]) : throw new FormatException("a field runs past the message");
}

/// <summary>
/// A UDP socket talking to one DNS server: bound to <c>local</c> (any port), connected to the server so only its
/// datagrams arrive. Receives wait on the socket with a limit, never sleep.
/// </summary>
internal sealed class UdpDnsSocket : IDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;

    public UdpDnsSocket(IPEndPoint server, IPAddress? local = null)
    {
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(local ?? (server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback), 0));
        _socket.Connect(server);
        Server = server;
    }

    public IPEndPoint Server { get; }

    public IPEndPoint Local => (IPEndPoint)_socket.LocalEndPoint!;

    public void Send(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    /// <summary>The next datagram, or null when none arrives within <paramref name="wait"/>.</summary>
    public byte[]? Receive(TimeSpan wait)
    {
        if (!_socket.Poll(wait, SelectMode.SelectRead)) return null;
        var buffer = new byte[65535];
        var length = _socket.Receive(buffer);
        return buffer[..length];
    }

    /// <summary>Every datagram already waiting on the socket, without waiting for more.</summary>
    public List<byte[]> Drain()
    {
        var all = new List<byte[]>();
        while (_socket.Available > 0 && Receive(TimeSpan.Zero) is { } datagram) all.Add(datagram);
        return all;
    }

    /// <summary>Sends <paramref name="query"/> and returns the response with its id (others are skipped).</summary>
    public RawMessage Exchange(byte[] query, TimeSpan? wait = null)
    {
        var id = RawDns.IdOf(query);
        var deadline = DateTime.UtcNow + (wait ?? DefaultWait);
        Send(query);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var datagram = left > TimeSpan.Zero ? Receive(left) : null;
            if (datagram is null) throw new TimeoutException($"no UDP response with id {id} from {Server} within {wait ?? DefaultWait}");
            if (datagram.Length >= 2 && RawDns.IdOf(datagram) == id) return RawMessage.Parse(datagram);
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>DNS over TCP by hand: two-byte length prefixes, a client socket bound where the test says.</summary>
internal static class TcpDns
{
    public static async Task<Socket> ConnectAsync(IPEndPoint server, CancellationToken ct, IPAddress? local = null)
    {
        // Closed with a reset, not a FIN: no TIME_WAIT holding the client's port for a minute (thousands of test
        // connections would otherwise crowd the ephemeral ports the servers under test bind to).
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        try
        {
            if (local is not null) socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(server, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task SendAsync(Socket socket, byte[] message, CancellationToken ct)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await SendRawAsync(socket, framed, ct);
    }

    public static async Task SendRawAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, ct);
            bytes = bytes[sent..];
        }
    }

    /// <summary>The next length-prefixed message, or null when the server closes the connection first.</summary>
    public static async Task<byte[]?> ReceiveAsync(Socket socket, CancellationToken ct)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, ct)) return null;
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, message, ct) ? message : null;
    }

    /// <summary>Reads until the server closes the connection (or resets it); what it sent before.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken ct)
    {
        var all = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0) break;
                all.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset)
        {
        }
        return [.. all];
    }

    /// <summary>One query on a connection of its own; the response with the query's id.</summary>
    public static async Task<RawMessage> ExchangeAsync(IPEndPoint server, byte[] query, CancellationToken ct, IPAddress? local = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(UdpDnsSocket.DefaultWait);
        using var socket = await ConnectAsync(server, timeout.Token, local);
        await SendAsync(socket, query, timeout.Token);
        var response = await ReceiveAsync(socket, timeout.Token)
            ?? throw new InvalidOperationException($"the server at {server} closed the TCP connection without answering");
        return RawMessage.Parse(response);
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0) return false;
            buffer = buffer[read..];
        }
        return true;
    }
}
