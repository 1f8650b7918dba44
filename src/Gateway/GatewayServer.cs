using System.Net;
using Mesh.Gateway.Configuration;
using Mesh.Gateway.Forwarding;
using Mesh.Gateway.Listening;
using Mesh.Gateway.Observability;
using Mesh.Gateway.Routing;
using Mesh.Gateway.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway;

/// <summary>
/// The gateway's own Kestrel server, apart from the API's: its listeners (<c>Mesh:Gateway:Url</c>,
/// <c>Mesh:Gateway:H2cUrl</c>, <c>Mesh:Gateway:HttpsUrl</c>) run nothing but <see cref="GatewayMiddleware"/>, so no API endpoint or API
/// middleware is reachable through them and none of it costs a proxied request anything.
/// </summary>
internal sealed partial class GatewayServer(
    GatewayOptions options,
    RouteTableFeed feed,
    GatewayMetrics metrics,
    GatewayEndpoints endpoints,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<GatewayServer>();
    private WebApplication? _app;
    private CertificateStore? _certificates;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ListenOptions? http = null, h2c = null, https = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<ILoggerFactory>(new GatewayLoggerFactory(loggers));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.Services.AddHttpForwarder();
        // Everything on the request path is asynchronous, so running it on the socket thread saves a thread-pool hop
        // per read: measured here, 1.1-1.6x the requests per CPU-second (bench/gateway/run.sh; a noisy machine).
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = options.InlineScheduling);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (!string.IsNullOrWhiteSpace(options.Url))
                http = Listen(kestrel, new Uri(options.Url), l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    l.UseNonAsciiRequestTargets();
                });
            if (!string.IsNullOrWhiteSpace(options.H2cUrl))
                h2c = Listen(kestrel, new Uri(options.H2cUrl), l => l.Protocols = HttpProtocols.Http2);
            if (!string.IsNullOrWhiteSpace(options.HttpsUrl))
            {
                _certificates = new CertificateStore(options.Certificates, loggers.CreateLogger<CertificateStore>());
                https = Listen(kestrel, new Uri(options.HttpsUrl), l => l.UseMeshCertificates(_certificates).UseNonAsciiRequestTargets());
            }
        });

        var app = builder.Build();
        var middleware = new GatewayMiddleware(feed, app.Services.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(),
            GatewayHttpClient.Create(options), options, metrics, endpoints, loggers);
        app.Run(middleware.InvokeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        // Kestrel writes the bound endpoint back into the listen options, so a port 0 shows the real port.
        endpoints.Set(Address("http", http), Address("http", h2c), Address("https", https));
        Log.Listening(_logger, string.Join(", ", endpoints.Addresses));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Kestrel's graceful stop lets requests in flight finish before the listeners close.
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
        _certificates?.Dispose();
    }

    private static ListenOptions Listen(KestrelServerOptions kestrel, Uri url, Action<ListenOptions> configure)
    {
        var host = url.Host.Trim('[', ']');
        ListenOptions? options = null;
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "0.0.0.0" or "*" or "+" => IPAddress.Any,
            _ => IPAddress.Parse(host),
        };
        kestrel.Listen(address, url.Port, l =>
        {
            options = l;
            configure(l);
        });
        return options!;
    }

    private static Uri? Address(string scheme, ListenOptions? listen) =>
        listen?.IPEndPoint is { } endpoint ? new Uri($"{scheme}://{endpoint}") : null;

    /// <summary>The outer host owns Ctrl-C and SIGTERM; the gateway's server is started and stopped by it.</summary>
    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(5030, LogLevel.Information, "Gateway listening on {Addresses}")]
        public static partial void Listening(ILogger logger, string addresses);
    }
}
