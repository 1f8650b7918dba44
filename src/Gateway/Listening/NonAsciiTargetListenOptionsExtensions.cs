using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Gateway.Listening;

internal static class NonAsciiTargetListenOptionsExtensions
{
    /// <summary>
    /// Accepts HTTP/1.x requests with raw UTF-8 (any byte &gt;= 0x80) in the request-target on <paramref name="listen"/>,
    /// by percent-encoding those bytes before Kestrel parses the request (<see cref="NonAsciiTargetConnectionMiddleware"/>).
    /// On an HTTPS listener call it after <c>UseHttps</c>, so it sees the decrypted bytes; called before, it sees a TLS
    /// handshake and passes the connection through untouched.
    /// </summary>
    public static ListenOptions UseNonAsciiRequestTargets(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => new NonAsciiTargetConnectionMiddleware(next).OnConnectionAsync);
        return listen;
    }
}
