using System.Diagnostics;
using Mesh.Gateway.Configuration;
using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Observability;
using Mesh.Gateway.Routing;
using Mesh.Projections.Routes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Gateway.Forwarding;

/// <summary>
/// The gateway's one request handler: match the route, pick an instance, forward with YARP's
/// <see cref="IHttpForwarder"/>, and account for the outcome (passive health, metrics, access log).
/// <list type="bullet">
/// <item>No route: 404 naming the host. No passing instance: 503 naming the service, after waiting up to the grace
/// period when the route had one a moment ago (a container being recreated).</item>
/// <item>An idempotent request without a body that cannot reach its instance is sent to another one; when none can be
/// reached, it waits (within the grace) for the registry's next change and is routed again by it.</item>
/// <item>A connection failure or a 5xx counts against the instance; enough in a row take it out for a while.</item>
/// </list>
/// </summary>
internal sealed partial class GatewayMiddleware(
    RouteTableFeed feed,
    IHttpForwarder forwarder,
    HttpMessageInvoker invoker,
    GatewayOptions options,
    GatewayMetrics metrics,
    GatewayEndpoints endpoints,
    ILoggerFactory loggers)
{
    private readonly ILogger _accessLog = loggers.CreateLogger("Mesh.Gateway.AccessLog");
    private readonly ILogger _logger = loggers.CreateLogger<GatewayMiddleware>();

    /// <summary>Rebuilding the routes takes milliseconds; a request never waits longer than this for it.</summary>
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(1);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var host = request.Host.Host;
        var path = request.Path.Value ?? "/";
        var ct = context.RequestAborted;
        var graceEnds = Environment.TickCount64 + (long)options.Grace.TotalMilliseconds;

        var table = feed.Current;
        while (true)
        {
            var route = table.Routes.Match(host, path);
            if (route is null || route.Cluster.Destinations.Length == 0)
            {
                table = await feed.CaughtUpAsync(CatchUpLimit, ct).ConfigureAwait(false);
                route = table.Routes.Match(host, path);
            }
            if (route is null || route.Cluster.Destinations.Length == 0)
                (table, route) = await WaitOutGraceAsync(table, route, host, path, ct).ConfigureAwait(false);

            if (route is null)
            {
                await AnswerAsync(context, StatusCodes.Status404NotFound, $"no route for host '{host}'\n").ConfigureAwait(false);
                Finish(context, metrics.Unrouted, null, null, started);
                return;
            }

            var runtime = table.RuntimeOf(route);
            if (route.HttpsRedirect && !request.IsHttps && HttpsPort > 0)
            {
                RedirectToHttps(context);
                Finish(context, runtime.Metrics, runtime, null, started);
                return;
            }
            if (runtime.Targets.Length == 0)
            {
                var env = route.Cluster.Env == Projections.Environments.EnvironmentNames.Integration ? "" : $" in environment '{route.Cluster.Env}'";
                await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable, $"no healthy instance of service '{route.Cluster.Service}'{env}\n").ConfigureAwait(false);
                Finish(context, runtime.Metrics, runtime, null, started);
                return;
            }

            var state = new GatewayTransformer(runtime, RequestId(request), PinnedVersion(request, runtime));
            bool unreachable;
            runtime.Metrics.Active.Inc();
            try
            {
                unreachable = await ForwardAsync(context, state).ConfigureAwait(false);
            }
            catch
            {
                Finish(context, runtime.Metrics, runtime, state.Target, started, state.RequestId);
                throw;
            }
            finally
            {
                runtime.Metrics.Active.Dec();
            }

            // Every instance refused the connection. A container that stopped or is being recreated does that before
            // the registry hears of it: within the grace, wait for the registry's next word and route again by it.
            var left = graceEnds - Environment.TickCount64;
            if (unreachable && left > 0)
            {
                var newer = await feed.WaitForNewerAsync(table.Position, TimeSpan.FromMilliseconds(left), ct).ConfigureAwait(false);
                if (newer.Position > table.Position && !ct.IsCancellationRequested)
                {
                    context.Response.Clear();
                    context.Features.Set<IForwarderErrorFeature>(null);
                    table = newer;
                    continue;
                }
            }
            Finish(context, runtime.Metrics, runtime, state.Target, started, state.RequestId);
            return;
        }
    }

    /// <returns>True when every instance the request could go to refused the connection (nothing reached one).</returns>
    private async Task<bool> ForwardAsync(HttpContext context, GatewayTransformer state)
    {
        var runtime = state.Route;
        var config = context.Request.Protocol == "HTTP/2" && IsGrpc(context.Request) ? runtime.Http2 : runtime.Http1;
        var retryable = IsRetryable(context.Request);
        var attempts = retryable ? 1 + options.Retries : 1;
        ulong tried = 0;
        for (var attempt = 1; ; attempt++)
        {
            var now = Environment.TickCount64;
            var index = DestinationSelector.Pick(runtime.Targets, state.PinnedVersion, tried, now);
            if (index < 0) return false;
            var target = runtime.Targets[index];
            state.Target = target;
            target.Health.Started();
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(context, target.Destination.BaseUrl, invoker, config, state).ConfigureAwait(false);
            }
            finally
            {
                target.Health.Finished();
            }

            var failed = error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders
                || (error == ForwarderError.None && context.Response.StatusCode >= 500);
            if (failed)
            {
                if (target.Health.Failed(options.PassiveHealth.Failures, options.PassiveHealth.Reactivation, Environment.TickCount64))
                    Log.DestinationOut(_logger, target.Destination.InstanceId, runtime.Route.Cluster.Id, target.Destination.BaseUrl, options.PassiveHealth.Reactivation);
            }
            else if (error == ForwarderError.None && target.Health.Succeeded(Environment.TickCount64))
            {
                Log.DestinationBack(_logger, target.Destination.InstanceId, runtime.Route.Cluster.Id, target.Destination.BaseUrl);
            }

            if (error != ForwarderError.None && context.Features.Get<IForwarderErrorFeature>() is { } feature)
                Log.ForwardFailed(_logger, state.RequestId, target.Destination.InstanceId, runtime.Route.Cluster.Id, error, feature.Exception);
            // Only a request that never reached an instance is safe to send again.
            if (error != ForwarderError.Request || !retryable || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
                return false;
            if (index < 64) tried |= 1UL << index;
            if (attempt >= attempts || !DestinationSelector.AnyUntried(runtime.Targets, tried)) return true;
            runtime.Metrics.Retries.Inc();
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
        }
    }

    private async Task<(GatewayTable, Route?)> WaitOutGraceAsync(GatewayTable table, Route? route, string host, string path, CancellationToken ct)
    {
        while (true)
        {
            var until = feed.GraceUntil(host, path, Environment.TickCount64);
            var left = until - Environment.TickCount64;
            if (left <= 0) return (table, route);
            try
            {
                table = await feed.WaitForNewerAsync(table.Position, TimeSpan.FromMilliseconds(left), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (table, route);
            }
            route = table.Routes.Match(host, path);
            if (route is { Cluster.Destinations.Length: > 0 }) return (table, route);
        }
    }

    private void RedirectToHttps(HttpContext context)
    {
        var request = context.Request;
        var port = HttpsPort == 443 ? "" : $":{HttpsPort}";
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is ['/', ..] raw
            ? raw
            : request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        // 308 keeps the method and body, where 301 lets clients turn a POST into a GET.
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{request.Host.Host}{port}{target}";
    }

    private static Task AnswerAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private void Finish(HttpContext context, RouteMetrics routeMetrics, RouteRuntime? route, Target? target, long started, string? requestId = null)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        var status = context.Response.StatusCode;
        routeMetrics.Completed(status, elapsed.TotalSeconds);
        if (_accessLog.IsEnabled(LogLevel.Information))
        {
            var request = context.Request;
            Log.Access(_accessLog, request.Method, request.Host.Value ?? "", request.Path.Value ?? "", status, route?.Label ?? "-",
                route?.Route.Cluster.Id ?? "-", target?.Destination.InstanceId ?? "-", target?.Destination.BaseUrl ?? "-",
                elapsed.TotalMilliseconds, requestId ?? request.Headers[GatewayTransformer.RequestIdHeader].ToString());
        }
    }

    private static string RequestId(HttpRequest request) =>
        request.Headers[GatewayTransformer.RequestIdHeader] is { Count: > 0 } id && id[0] is { Length: > 0 and <= 200 } value
            ? value
            : Guid.NewGuid().ToString("N");

    private static string? PinnedVersion(HttpRequest request, RouteRuntime runtime) =>
        runtime.VersionCookie is { } name && request.Cookies[name] is { Length: > 0 } value ? Uri.UnescapeDataString(value) : null;

    private static bool IsRetryable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsTrace(request.Method))
        && request.ContentLength is null or 0
        && !request.Headers.ContainsKey("Transfer-Encoding")
        && !request.Headers.ContainsKey("Upgrade");

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Where redirects send clients: <c>Mesh:Gateway:HttpsRedirectPort</c>, else the HTTPS listener's port (0: no HTTPS).</summary>
    private int HttpsPort => options.HttpsRedirectPort ?? endpoints.Https?.Port ?? 0;

    private static partial class Log
    {
        [LoggerMessage(5020, LogLevel.Information,
            "{Method} {Host}{Path} {Status} route={Route} service={Service} instance={InstanceId} destination={Destination} {ElapsedMs:0.###}ms request_id={RequestId}")]
        public static partial void Access(ILogger logger, string method, string host, string path, int status, string route, string service,
            string instanceId, string destination, double elapsedMs, string requestId);

        [LoggerMessage(5021, LogLevel.Warning, "Instance '{InstanceId}' of {Service} at {Destination} failed repeatedly: taken out for {Reactivation}")]
        public static partial void DestinationOut(ILogger logger, string instanceId, string service, string destination, TimeSpan reactivation);

        [LoggerMessage(5022, LogLevel.Information, "Instance '{InstanceId}' of {Service} at {Destination} answered again: back in")]
        public static partial void DestinationBack(ILogger logger, string instanceId, string service, string destination);

        [LoggerMessage(5023, LogLevel.Debug, "Request {RequestId} to instance '{InstanceId}' of {Service} failed: {Error}")]
        public static partial void ForwardFailed(ILogger logger, string requestId, string instanceId, string service, ForwarderError error, Exception? exception);
    }
}
