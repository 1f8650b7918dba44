using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.Gateway.Listening;

/// <summary>
/// Lets Kestrel accept HTTP/1.x requests whose request-target carries raw bytes &gt;= 0x80, such as
/// <c>GET /搜索?q=影院 HTTP/1.1</c> sent as UTF-8, which Kestrel otherwise answers with 400 and has no option for. The
/// connection's input is replaced by a <see cref="RequestTargetRewritingReader"/> that percent-encodes those bytes
/// (<c>/%E6%90%9C%E7%B4%A2</c>), which Kestrel accepts and decodes back to the same path; every other byte reaches
/// Kestrel unchanged, and the output is not touched. HTTP/2, upgraded connections and anything the rewriter does not
/// understand pass through untouched (see <see cref="RequestTargetRewriter"/>).
/// </summary>
internal sealed class NonAsciiTargetConnectionMiddleware(ConnectionDelegate next)
{
    public Task OnConnectionAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var transport = context.Transport;
        var pool = context.Features.Get<IMemoryPoolFeature>()?.MemoryPool;
        context.Transport = new DuplexPipe(new RequestTargetRewritingReader(transport.Input, pool), transport.Output);
        return next(context);
    }
}
