using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Dns.Observability;
using Mesh.Dns.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// One UDP socket and its receive threads. Each thread blocks in <c>recvfrom</c>, answers in place and sends: no
/// allocation, task or thread hop per query on the common path (the measured 0.28× knot for ARSoft's own
/// server is mostly that). A query that throws is counted and dropped; the thread goes on.
/// </summary>
internal sealed partial class UdpDnsListener : IDisposable
{
    private const int MaxDatagram = 65535;

    // Forwarded queries wait on an upstream off the receive threads; past this many at once, the asker gets REFUSED.
    private const int MaxForwarding = 1024;

    private readonly Socket _socket;
    private readonly int? _view;
    private readonly DnsResponder _responder;
    private readonly DnsViews _views;
    private readonly RateLimiter _limiter;
    private readonly UpstreamForwarder _forwarder;
    private readonly DnsMetrics _metrics;
    private readonly CancellationTokenSource _stop = new();
    private int _forwarding;
    private readonly ILogger _logger;
    private readonly Thread[] _threads;
    private volatile bool _stopping;

    public UdpDnsListener(IPEndPoint endpoint, int? view, int workers, DnsResponder responder, DnsViews views, RateLimiter limiter, UpstreamForwarder forwarder, DnsMetrics metrics, ILogger logger)
    {
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(endpoint);
        // Room for bursts while the threads are busy: a full receive buffer is lost queries.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _view = view;
        _responder = responder;
        _views = views;
        _limiter = limiter;
        _forwarder = forwarder;
        _metrics = metrics;
        _logger = logger;
        Bound = (IPEndPoint)_socket.LocalEndPoint!;
        _threads = [.. Enumerable.Range(0, workers).Select(i => new Thread(Receive) { IsBackground = true, Name = $"dns-udp-{Bound.Port}-{i}" })];
    }

    public IPEndPoint Bound { get; }

    public void Start()
    {
        foreach (var thread in _threads) thread.Start();
    }

    public void Dispose()
    {
        _stopping = true;
        _stop.Cancel();
        _socket.Close();
        foreach (var thread in _threads)
            if (thread.IsAlive) thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Receive()
    {
        var input = new byte[MaxDatagram];
        var output = new byte[MaxDatagram];
        var client = Bound.Serialize();
        while (!_stopping)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(input, SocketFlags.None, client);
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (SocketException ex)
            {
                // An ICMP error for an earlier send (the asker is gone) surfaces here; nothing to do but go on.
                Log.ReceiveFailed(_logger, Bound.Port, ex.SocketErrorCode);
                continue;
            }

            try
            {
                Handle(input.AsSpan(0, length), output, client);
            }
            catch (Exception ex) when (!_stopping)
            {
                _metrics.Failed.Inc();
                Log.QueryFailed(_logger, Bound.Port, ex);
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> message, Span<byte> output, SocketAddress client)
    {
        var start = Stopwatch.GetTimestamp();
        var status = WireQuery.Read(message, out var query);
        if (status == QueryStatus.Drop)
        {
            _metrics.Malformed.Inc();
            return;
        }

        // No closure and no key when limiting is off: this runs for every datagram.
        var decision = _limiter.Enabled ? _limiter.Check(KeyOf(client), client, AddressOf) : RateDecision.Send;
        if (decision == RateDecision.Drop)
        {
            _metrics.RateLimited.Inc();
            return;
        }
        int length, code;
        if (decision == RateDecision.Slip)
        {
            _metrics.Slipped.Inc();
            (length, code) = (ResponseWriter.Error(output, message, query, 0, _responder.UdpSize, truncated: true), 0);
        }
        else
        {
            var view = _views.Choose(_view, _views.HasSubnets ? AddressOf(client) : null);
            (length, code) = _responder.Respond(message, query, status, view, output);
            if (code == (int)ARSoft.Tools.Net.Dns.ReturnCode.Refused && _forwarder.Enabled && TryForward(message, query, client, start)) return;
        }
        _socket.SendTo(output[..length], SocketFlags.None, client);
        _metrics.Answered(query.Type, code, tcp: false, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private bool TryForward(ReadOnlySpan<byte> message, WireQuery query, SocketAddress client, long start)
    {
        if (Interlocked.Increment(ref _forwarding) > MaxForwarding)
        {
            Interlocked.Decrement(ref _forwarding);
            return false;
        }
        var asker = new SocketAddress(client.Family, client.Size);
        client.Buffer.Span[..client.Size].CopyTo(asker.Buffer.Span);
        _ = ForwardAsync(message.ToArray(), query, asker, start);
        return true;
    }

    private async Task ForwardAsync(byte[] message, WireQuery query, SocketAddress asker, long start)
    {
        try
        {
            var answer = await _forwarder.RelayAsync(message, _stop.Token).ConfigureAwait(false);
            int code;
            if (answer is null)
            {
                answer = new byte[512];
                var length = ResponseWriter.Error(answer, message, query, (int)ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure, _responder.UdpSize);
                answer = answer[..length];
                code = (int)ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure;
            }
            else
            {
                code = answer[3] & 0x0F;
            }
            await _socket.SendToAsync(answer, SocketFlags.None, asker, _stop.Token).ConfigureAwait(false);
            _metrics.Answered(query.Type, code, tcp: false, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        catch (Exception ex) when (!_stopping)
        {
            _metrics.Failed.Inc();
            Log.QueryFailed(_logger, Bound.Port, ex);
        }
        catch (Exception) when (_stopping)
        {
            // Shutting down: the asker will retry elsewhere.
        }
        finally
        {
            Interlocked.Decrement(ref _forwarding);
        }
    }

    // The rate limiter's key: the IPv4 address, or the IPv6 /64 (one host usually holds a whole /64).
    private static UInt128 KeyOf(SocketAddress client)
    {
        var bytes = client.Buffer.Span;
        return client.Family == AddressFamily.InterNetworkV6
            ? new UInt128(1, BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(8, 8)))
            : BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(4, 4));
    }

    private static IPAddress AddressOf(SocketAddress client)
    {
        var bytes = client.Buffer.Span;
        return client.Family == AddressFamily.InterNetworkV6 ? new IPAddress(bytes.Slice(8, 16)) : new IPAddress(bytes.Slice(4, 4));
    }

    private static partial class Log
    {
        [LoggerMessage(4011, LogLevel.Debug, "DNS UDP receive on port {Port} failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, int port, SocketError error);

        [LoggerMessage(4012, LogLevel.Warning, "DNS UDP query on port {Port} could not be answered; it was dropped")]
        public static partial void QueryFailed(ILogger logger, int port, Exception exception);
    }
}
