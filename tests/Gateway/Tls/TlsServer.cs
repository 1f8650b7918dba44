using System.Net;
using System.Security.Cryptography.X509Certificates;
using Mesh.Gateway.Configuration;
using Mesh.Gateway.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tests.Tls;

/// <summary>
/// A Kestrel listener on 127.0.0.1 set up as GatewayServer sets up its HTTPS listener (an empty builder, Kestrel's core,
/// <see cref="CertificateListenOptionsExtensions.UseMeshCertificates"/>), with certificates for a few names, answering
/// every request with its protocol. Shared by a test class: only the <c>renew.test</c> certificate is ever replaced.
/// </summary>
public sealed class TlsServer : IAsyncLifetime
{
    private static readonly CertificateReloadTiming WatcherOnly = new(TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(50));

    private readonly TlsFiles _files = new();
    private CertificateStore? _store;
    private WebApplication? _app;

    internal X509Certificate2 Default { get; } = TlsFiles.Create("default", "default.test");

    internal X509Certificate2 Wildcard { get; } = TlsFiles.Create("wildcard", "*.example.com");

    internal (X509Certificate2 Leaf, X509Certificate2 Intermediate) Chained { get; } = TlsFiles.CreateChain("chained.test");

    /// <summary>The files of the <c>renew.test</c> certificate, key apart.</summary>
    internal GatewayCertificateOptions Renewing { get; private set; } = new();

    internal int Port { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Renewing = _files.Write("renew", TlsFiles.Create("renew", "renew.test"), separateKey: true);
        _store = new CertificateStore(
            [
                _files.Write("default", Default),
                _files.Write("exact", TlsFiles.Create("exact", "api.example.com"), separateKey: true),
                _files.Write("wildcard", Wildcard),
                _files.Write("chained", Chained.Leaf, separateKey: false, Chained.Intermediate),
                Renewing,
            ],
            NullLogger<CertificateStore>.Instance, WatcherOnly);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseMeshCertificates(_store)));
        _app = builder.Build();
        _app.Run(context => context.Response.WriteAsync($"served over {context.Request.Protocol}"));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Port = new Uri(_app.Urls.Single()).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _store?.Dispose();
        _files.Dispose();
    }
}
