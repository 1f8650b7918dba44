using System.Net.Http.Headers;
using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Gateway.Forwarding;

/// <summary>
/// How a request is rewritten on its way to an instance, and its response on the way back:
/// <list type="bullet">
/// <item>The request target is the client's own bytes (<c>/搜索/电影?q=影院</c>, <c>/a%2Fb</c>), not a decoded and
/// re-encoded path, less the route's prefix where the route strips it.</item>
/// <item>The original Host is kept (as Traefik does); <c>X-Forwarded-For</c> gains the client's address,
/// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> say what the client asked for.</item>
/// <item><c>X-Request-Id</c> is kept or created, and echoed on the response; a W3C <c>traceparent</c> passes
/// through, or is started when the client sent none.</item>
/// <item>A response from a versioned instance pins the client to that version with a cookie.</item>
/// </list>
/// </summary>
/// <remarks>
/// One per request: it carries the request's forwarding state (route, request id, pinned version, current target) from
/// the middleware to the response, which saves a request feature (and the dictionary behind it) per request.
/// </remarks>
internal sealed class GatewayTransformer(RouteRuntime route, string requestId, string? pinnedVersion) : HttpTransformer
{
    public const string RequestIdHeader = "X-Request-Id";
    public const string TraceParentHeader = "traceparent";

    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public RouteRuntime Route { get; } = route;

    public string RequestId { get; } = requestId;

    /// <summary>The version the client's cookie pinned it to, if any.</summary>
    public string? PinnedVersion { get; } = pinnedVersion;

    /// <summary>The target of the current attempt.</summary>
    public Target? Target { get; set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var request = httpContext.Request;
        // The base built the URI from the decoded path; where that re-encoding differs from what the client sent (or a
        // prefix is stripped), send the client's own target.
        var target = RequestTarget(httpContext);
        if (!string.Equals(proxyRequest.RequestUri?.PathAndQuery, target, StringComparison.Ordinal))
            proxyRequest.RequestUri = new Uri(destinationPrefix + target, Verbatim);
        proxyRequest.Headers.Host = request.Host.Value;

        var headers = proxyRequest.Headers;
        var client = httpContext.Connection.RemoteIpAddress?.ToString();
        if (client is not null)
        {
            var forwarded = request.Headers["X-Forwarded-For"];
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", forwarded.Count == 0 ? client : $"{forwarded}, {client}");
        }
        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        headers.Remove("X-Forwarded-Host");
        headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        if (!request.Headers.ContainsKey(RequestIdHeader)) headers.TryAddWithoutValidation(RequestIdHeader, RequestId);
        if (!request.Headers.ContainsKey(TraceParentHeader)) headers.TryAddWithoutValidation(TraceParentHeader, NewTraceParent());
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        var response = httpContext.Response;
        response.Headers[RequestIdHeader] = RequestId;
        if (Route.VersionCookie is { } cookie && Target?.Destination.Version is { } version && version != PinnedVersion)
        {
            response.Headers.Append(HeaderNames.SetCookie, new SetCookieHeaderValue(cookie, Uri.EscapeDataString(version))
            {
                Path = "/",
                HttpOnly = true,
                SameSite = Microsoft.Net.Http.Headers.SameSiteMode.Lax,
            }.ToString());
        }
        return copy;
    }

    /// <summary>The path and query to send: the raw request target, less a stripped prefix.</summary>
    private string RequestTarget(HttpContext httpContext)
    {
        var raw = httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var request = httpContext.Request;
        // Absolute-form targets (a client talking to a proxy) and anything odd fall back to the decoded path.
        if (string.IsNullOrEmpty(raw) || raw[0] != '/') raw = request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var route = Route.Route;
        if (!route.StripPrefix) return raw;
        var prefix = route.PathPrefix;
        if (raw.StartsWith(prefix, StringComparison.Ordinal) && (raw.Length == prefix.Length || raw[prefix.Length] is '/' or '?'))
        {
            var rest = raw[prefix.Length..];
            return rest.Length == 0 || rest[0] == '?' ? "/" + rest : rest;
        }
        // The prefix was matched on the decoded path, but the client encoded part of it: strip from the decoded form.
        var path = request.Path.Value ?? "/";
        var remainder = path.Length > prefix.Length ? path[prefix.Length..] : "/";
        return new PathString(remainder).ToUriComponent() + request.QueryString.ToUriComponent();
    }

    private static string NewTraceParent() =>
        $"00-{System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString()}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01";
}
