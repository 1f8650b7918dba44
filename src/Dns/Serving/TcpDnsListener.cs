using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Dns.Observability;
using Mesh.Dns.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// DNS over TCP (RFC 7766): length-prefixed messages, answered in order on each connection, never truncated — a
/// client retries here after a truncated UDP answer. The answers are the UDP path's (the same responder and cache).
/// ARSoft.Tools.Net 3.6.1's own TCP server was replaced: its read and keep-alive timeouts did not close idle or
/// stalled connections, and a message it could not parse left the connection hung; here every wait has a deadline
/// and the number of connections is bounded.
/// </summary>
internal sealed partial class TcpDnsListener : IDisposable
{
    private const int MaxConnections = 1024;
    private const int MaxMessage = 65535;

    // A message, once its length has arrived, must arrive whole within this; so must a response be taken.
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(5);

    // How long a connection may wait for its next query (RFC 7766 §6.2.3 suggests seconds, not minutes).
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly int? _view;
    private readonly DnsResponder _responder;
    private readonly DnsViews _views;
    private readonly UpstreamForwarder _forwarder;
    private readonly DnsMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public TcpDnsListener(IPEndPoint endpoint, int? view, DnsResponder responder, DnsViews views, UpstreamForwarder forwarder, DnsMetrics metrics, ILogger logger)
    {
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endpoint);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Bound = (IPEndPoint)_listener.LocalEndPoint!;
        _view = view;
        _responder = responder;
        _views = views;
        _forwarder = forwarder;
        _metrics = metrics;
        _logger = logger;
    }

    public IPEndPoint Bound { get; }

    public void Start() => _ = AcceptAsync();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.AcceptFailed(_logger, Bound.Port, ex.SocketErrorCode);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                connection.Dispose();
                continue;
            }
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var _ = connection;
        try
        {
            connection.NoDelay = true;
            var client = (connection.RemoteEndPoint as IPEndPoint)?.Address;
            var prefix = new byte[2];
            var message = new byte[MaxMessage];
            var output = new byte[2 + MaxMessage];
            while (await ReadAsync(connection, prefix, IdleTimeout).ConfigureAwait(false))
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (length == 0 || !await ReadAsync(connection, message.AsMemory(0, length), MessageTimeout).ConfigureAwait(false)) return;
                var answer = await AnswerAsync(message.AsMemory(0, length), client, output).ConfigureAwait(false);
                if (answer.Length == 0) return;
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                deadline.CancelAfter(MessageTimeout);
                await connection.SendAsync(answer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, stalled past a deadline, or Mesh is stopping: the connection closes.
        }
        catch (Exception ex)
        {
            _metrics.Failed.Inc();
            Log.QueryFailed(_logger, Bound.Port, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>The length-prefixed answer to <paramref name="message"/> in <paramref name="output"/>; empty: close the connection.</summary>
    private async Task<ReadOnlyMemory<byte>> AnswerAsync(ReadOnlyMemory<byte> message, IPAddress? client, byte[] output)
    {
        var start = Stopwatch.GetTimestamp();
        var status = WireQuery.Read(message.Span, out var query);
        // Not a query at all (or a response): nothing to answer, and the stream may no longer be framed as the client thinks.
        if (status == QueryStatus.Drop)
        {
            _metrics.Malformed.Inc();
            return ReadOnlyMemory<byte>.Empty;
        }
        var view = _views.Choose(_view, _views.HasSubnets ? client : null);
        var (length, code) = _responder.Respond(message.Span, query, status, view, output.AsSpan(2), MaxMessage);
        if (code == (int)ARSoft.Tools.Net.Dns.ReturnCode.Refused && status == QueryStatus.Ok && _forwarder.Enabled)
        {
            if (await _forwarder.RelayTcpAsync(message, _stop.Token).ConfigureAwait(false) is { } upstream)
            {
                upstream.CopyTo(output.AsSpan(2));
                (length, code) = (upstream.Length, upstream[3] & 0x0F);
            }
            else
            {
                code = (int)ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure;
                length = ResponseWriter.Error(output.AsSpan(2), message.Span, query, code, _responder.UdpSize);
            }
        }
        BinaryPrimitives.WriteUInt16BigEndian(output, (ushort)length);
        _metrics.Answered(query.Type, code, tcp: true, Stopwatch.GetElapsedTime(start).TotalSeconds);
        return output.AsMemory(0, 2 + length);
    }

    /// <summary>Fills <paramref name="buffer"/> within <paramref name="timeout"/>; false when the client closed first.</summary>
    private async Task<bool> ReadAsync(Socket connection, Memory<byte> buffer, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(timeout);
        return await SocketReads.FillAsync(connection, buffer, deadline.Token).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(4013, LogLevel.Debug, "DNS TCP accept on port {Port} failed: {Error}")]
        public static partial void AcceptFailed(ILogger logger, int port, SocketError error);

        [LoggerMessage(4014, LogLevel.Warning, "DNS TCP query on port {Port} could not be answered; its connection was closed")]
        public static partial void QueryFailed(ILogger logger, int port, Exception exception);
    }
}
