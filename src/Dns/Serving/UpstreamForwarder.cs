using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// Forwarding of names outside Mesh's zones to <c>Mesh:Dns:Upstreams</c>, tried in order; without upstreams such
/// names are REFUSED (Mesh is not an open resolver). The query's bytes are relayed as they came, over the transport
/// they came on, and the upstream's answer is relayed back, so every record type passes.
/// When no upstream answers, the asker gets SERVFAIL.
/// </summary>
internal sealed partial class UpstreamForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout, ILogger logger)
{
    private const int MaxDatagram = 65535;

    public bool Enabled => upstreams.Count > 0;

    /// <summary>Relays <paramref name="query"/> and returns the first upstream answer carrying its id; null when none answered.</summary>
    public Task<byte[]?> RelayAsync(byte[] query, CancellationToken ct)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(query);
        return AskEachAsync("udp", SocketType.Dgram, ProtocolType.Udp, async (socket, token) =>
        {
            await socket.SendAsync(query, SocketFlags.None, token).ConfigureAwait(false);
            var buffer = new byte[MaxDatagram];
            while (true)
            {
                // A connected socket only hears its upstream; an answer to another id is stale or forged.
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                if (IsAnswer(buffer.AsSpan(0, length), id)) return buffer[..length];
            }
        }, ct);
    }

    /// <summary>Relays <paramref name="query"/> over TCP (a length-prefixed message each way); null when no upstream answered.</summary>
    public Task<byte[]?> RelayTcpAsync(ReadOnlyMemory<byte> query, CancellationToken ct)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        return AskEachAsync("tcp", SocketType.Stream, ProtocolType.Tcp, async (socket, token) =>
        {
            await socket.SendAsync(framed, SocketFlags.None, token).ConfigureAwait(false);
            var prefix = new byte[2];
            if (!await SocketReads.FillAsync(socket, prefix, token).ConfigureAwait(false)) return null;
            var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            return await SocketReads.FillAsync(socket, answer, token).ConfigureAwait(false) && IsAnswer(answer, id) ? answer : null;
        }, ct);
    }

    // Each upstream in order, connected and given the timeout for the whole exchange; the first answer wins.
    private async Task<byte[]?> AskEachAsync(
        string transport, SocketType type, ProtocolType protocol, Func<Socket, CancellationToken, Task<byte[]?>> exchange, CancellationToken ct)
    {
        foreach (var upstream in upstreams)
        {
            using var socket = new Socket(upstream.AddressFamily, type, protocol);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(upstream, deadline.Token).ConfigureAwait(false);
                if (await exchange(socket, deadline.Token).ConfigureAwait(false) is { } answer) return answer;
                Log.UpstreamFailed(logger, upstream.ToString(), transport, "no answer to this query");
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException && !ct.IsCancellationRequested)
            {
                Log.UpstreamFailed(logger, upstream.ToString(), transport, ex.Message);
            }
        }
        return null;
    }

    private static bool IsAnswer(ReadOnlySpan<byte> message, ushort id) =>
        message.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(message) == id && (message[2] & 0x80) != 0;

    private static partial class Log
    {
        [LoggerMessage(4031, LogLevel.Warning, "DNS upstream {Upstream} did not answer over {Transport}: {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string upstream, string transport, string reason);
    }
}
