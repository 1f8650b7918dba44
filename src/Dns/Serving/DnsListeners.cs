using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Dns.Configuration;
using Mesh.Dns.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// Binds the main listener and one per view with a port of its own, each on UDP and TCP (the same port), and closes
/// them on stop. A port that cannot be bound fails the start with the address in the message.
/// </summary>
internal sealed partial class DnsListeners(
    DnsOptions options,
    DnsResponder responder,
    DnsViews views,
    RateLimiter limiter,
    UpstreamForwarder forwarder,
    DnsMetrics metrics,
    DnsEndpoints endpoints,
    ILogger<DnsListeners> logger) : IHostedService
{
    private readonly List<IDisposable> _open = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var bound = ImmutableArray.CreateBuilder<DnsListenerView>();
        try
        {
            bound.Add(Listen(IPAddress.Parse(options.Address), options.Port, null));
            foreach (var (env, view) in options.Views.Where(v => v.Value.Port is not null).OrderBy(v => v.Key, StringComparer.Ordinal))
                bound.Add(Listen(IPAddress.Parse(view.Address ?? options.Address), view.Port!.Value, views.IndexOf(env)));
        }
        catch
        {
            Close();
            throw;
        }
        endpoints.Set(bound.ToImmutable());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Close();
        return Task.CompletedTask;
    }

    private DnsListenerView Listen(IPAddress address, int port, int? view)
    {
        // TCP takes the port UDP got, so a configured 0 gives one port for both; when that port is taken on TCP,
        // another is tried.
        var attempts = port == 0 ? 20 : 1;
        for (var attempt = 1; ; attempt++)
        {
            UdpDnsListener udp;
            try
            {
                udp = new UdpDnsListener(new IPEndPoint(address, port), view, options.UdpWorkers, responder, views, limiter, forwarder, metrics, logger);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"DNS cannot listen on udp {address}:{port}: {ex.Message}", ex);
            }
            TcpDnsListener tcp;
            try
            {
                tcp = new TcpDnsListener(udp.Bound, view, responder, views, forwarder, metrics, logger);
            }
            catch (SocketException ex)
            {
                udp.Dispose();
                if (attempt < attempts) continue;
                throw new InvalidOperationException($"DNS cannot listen on tcp {udp.Bound}: {ex.Message}", ex);
            }
            _open.Add(udp);
            _open.Add(tcp);
            tcp.Start();
            udp.Start();
            var name = view is { } v ? views.Names[v] : null;
            Log.Listening(logger, udp.Bound.ToString(), name ?? "by client");
            return new DnsListenerView(udp.Bound, name);
        }
    }

    private void Close()
    {
        foreach (var listener in _open) listener.Dispose();
        _open.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(4021, LogLevel.Information, "DNS listening on {EndPoint} (udp and tcp), view: {View}")]
        public static partial void Listening(ILogger logger, string endPoint, string view);
    }
}
