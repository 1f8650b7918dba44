using System.Diagnostics;
using System.Net;
using Mesh.Gateway.Configuration;

namespace Mesh.Gateway.Forwarding;

/// <summary>
/// The one client every proxied request goes through: no proxy, no redirects, no cookies, no decompression (the
/// response passes through as the instance sent it), and no activity propagation (the gateway handles
/// <c>traceparent</c> itself).
/// </summary>
internal static class GatewayHttpClient
{
    public static HttpMessageInvoker Create(GatewayOptions options) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = options.ConnectTimeout,
        EnableMultipleHttp2Connections = true,
        // An instance that went away leaves idle connections behind; do not keep them long.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    }, disposeHandler: true);
}
