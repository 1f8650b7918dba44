using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mesh.Gateway.Tls;

internal static class CertificateListenOptionsExtensions
{
    /// <summary>
    /// Serves TLS on <paramref name="listen"/> with the certificate <paramref name="store"/> selects for each handshake's SNI
    /// name, offering HTTP/2 and HTTP/1.1 by ALPN. A per-connection callback rather than
    /// <see cref="HttpsConnectionAdapterOptions.ServerCertificateSelector"/>: the selector takes a bare certificate, so
    /// SslStream would build its chain on every handshake and send no intermediate from the PEM file.
    /// </summary>
    public static ListenOptions UseMeshCertificates(this ListenOptions listen, CertificateStore store)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(store);
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnectionState = store,
            // Kestrel fills in ALPN from listen.Protocols, as no ApplicationProtocols are set here.
            OnConnection = static context => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = ((CertificateStore)context.State!).SelectContext(context.ClientHelloInfo.ServerName)
                    ?? throw new AuthenticationException("No TLS certificate is configured"),
            }),
        });
    }
}
