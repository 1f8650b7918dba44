using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// Forwarding of names outside Mesh's zones to <c>Mesh:Dns:Upstreams</c>, tried in order; without upstreams such
/// names are REFUSED (Mesh is not an open resolver). Over UDP the query's bytes are relayed as they came and the
/// upstream's answer is relayed back, so every record type passes; over TCP ARSoft.Tools.Net's client asks.
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

    /// <summary>Asks the upstreams <paramref name="query"/>'s question over TCP; null when none answered.</summary>
    public async Task<DnsMessage?> AskAsync(DnsMessage query, CancellationToken ct)
    {
        var question = query.Questions[0];
        foreach (var upstream in upstreams)
        {
            var client = new DnsClient([upstream.Address], [new TcpClientTransport(upstream.Port)], true, (int)timeout.TotalMilliseconds);
            try
            {
                var options = new DnsQueryOptions { IsRecursionDesired = query.IsRecursionDesired, IsEDnsEnabled = query.IsEDnsEnabled };
                if (await client.ResolveAsync(question.Name, question.RecordType, question.RecordClass, options, ct).ConfigureAwait(false) is { } answer)
                    return answer;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                Log.UpstreamFailed(logger, upstream.ToString(), "tcp", ex.Message);
                continue;
            }
            Log.UpstreamFailed(logger, upstream.ToString(), "tcp", "no answer");
        }
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(4031, LogLevel.Warning, "DNS upstream {Upstream} did not answer over {Transport}: {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string upstream, string transport, string reason);
    }
}
