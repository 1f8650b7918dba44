using System.Security.Cryptography;
using System.Text;
using Mesh.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Host.Api.Consul.Auth;

/// <summary>
/// When <c>Mesh:Api:Token</c> is set, writes (any method but GET, HEAD and OPTIONS) and admin reads
/// (<c>/v1/agent/self</c>, <c>/v1/mesh/*</c>) need the token in <c>X-Mesh-Token</c>, <c>X-Consul-Token</c>,
/// <c>Authorization: Bearer</c> or <c>?token=</c>; without it they get 403. Catalog, health and agent service reads
/// stay open, as service discovery must be for every client that only resolves services (and as Consul's default
/// ACL policy leaves them).
/// </summary>
internal sealed partial class TokenMiddleware(RequestDelegate next, IOptions<ApiOptions> options, ILogger<TokenMiddleware> logger)
{
    private readonly byte[]? _expected = options.Value.Token is { Length: > 0 } token ? Digest(token) : null;

    public Task InvokeAsync(HttpContext http)
    {
        if (_expected is null || !NeedsToken(http.Request) || Matches(Presented(http.Request))) return next(http);
        Log.Denied(logger, http.Request.Method, http.Request.Path);
        var result = ConsulResults.Forbidden(
            "Permission denied: this request needs the Mesh API token (Mesh:Api:Token) in X-Mesh-Token, X-Consul-Token, Authorization: Bearer or ?token=");
        return result.ExecuteAsync(http);
    }

    // Agent writes that Consul before 1.0 also took as GET (and old clients such as python-consul 0.7 still send so).
    private static readonly string[] WritePaths =
        ["/v1/agent/service/register", "/v1/agent/service/deregister", "/v1/agent/service/maintenance", "/v1/agent/check"];

    private static bool NeedsToken(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        || WritePaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
        || request.Path.StartsWithSegments("/v1/agent/self", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/v1/mesh", StringComparison.OrdinalIgnoreCase);

    private static string? Presented(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers["X-Mesh-Token"].LastOrDefault() is { Length: > 0 } mesh) return mesh;
        if (headers["X-Consul-Token"].LastOrDefault() is { Length: > 0 } consul) return consul;
        if (headers.Authorization.LastOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return auth["Bearer ".Length..].Trim();
        return request.Query["token"].LastOrDefault();
    }

    // Digests compare in constant time whatever the lengths, so the comparison says nothing about the token.
    private bool Matches(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Digest(presented), _expected);

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static partial class Log
    {
        [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "Refused {Method} {Path}: missing or wrong API token")]
        public static partial void Denied(ILogger logger, string method, string path);
    }
}
