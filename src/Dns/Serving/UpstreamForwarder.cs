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
    public async Task<byte[]?> RelayAsync(byte[] query, CancellationToken ct)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(query);
        var buffer = new byte[MaxDatagram];
        foreach (var upstream in upstreams)
        {
            using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(upstream, deadline.Token).ConfigureAwait(false);
                await socket.SendAsync(query, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    // A connected socket only hears its upstream; an answer to another id is stale or forged.
                    if (length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && (buffer[2] & 0x80) != 0)
                        return buffer[..length];
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException && !ct.IsCancellationRequested)
            {
                Log.UpstreamFailed(logger, upstream.ToString(), "udp", ex.Message);
            }
        }
        return null;
    }

    /// <summary>Relays <paramref name="query"/> over TCP (a length-prefixed message each way); null when no upstream answered.</summary>
    public async Task<byte[]?> RelayTcpAsync(ReadOnlyMemory<byte> query, CancellationToken ct)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        foreach (var upstream in upstreams)
        {
            using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(upstream, deadline.Token).ConfigureAwait(false);
                await socket.SendAsync(framed, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                var prefix = new byte[2];
                if (await ReadAsync(socket, prefix, deadline.Token).ConfigureAwait(false))
                {
                    var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    if (answer.Length >= 12 && await ReadAsync(socket, answer, deadline.Token).ConfigureAwait(false)
                        && BinaryPrimitives.ReadUInt16BigEndian(answer) == id && (answer[2] & 0x80) != 0)
                        return answer;
                }
                Log.UpstreamFailed(logger, upstream.ToString(), "tcp", "no answer to this query");
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException && !ct.IsCancellationRequested)
            {
                Log.UpstreamFailed(logger, upstream.ToString(), "tcp", ex.Message);
            }
        }
        return null;
    }

    private static async Task<bool> ReadAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(4031, LogLevel.Warning, "DNS upstream {Upstream} did not answer over {Transport}: {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string upstream, string transport, string reason);
    }
}
