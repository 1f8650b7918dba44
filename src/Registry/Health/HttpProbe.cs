using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using Mesh.Registry.Events;
using Microsoft.AspNetCore.WebUtilities;

namespace Mesh.Registry.Health;

/// <summary>
/// HTTP checks, as Consul runs them: the request (GET unless the check names a method) must answer within the
/// timeout; 2xx is passing, 429 warning, anything else, a connection failure or a timeout critical. Every probe
/// opens a fresh connection (Connection: close, as Consul disables keep-alives), so a stopped server is noticed
/// at once rather than through a stale pooled connection.
/// </summary>
internal sealed class HttpProbe : IDisposable
{
    /// <summary>Consul keeps the first 4 KiB of the body as the check's output.</summary>
    public const int MaxBodyBytes = 4 * 1024;

    private readonly HttpClient _verifying = Create(skipVerify: false);
    private readonly HttpClient _skipping = Create(skipVerify: true);

    public async Task<ProbeResult> RunAsync(CheckSpec spec, TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        var method = string.IsNullOrWhiteSpace(spec.Method) ? "GET" : spec.Method.Trim().ToUpperInvariant();
        if (!Uri.TryCreate(spec.Target, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            return Failed(method, spec.Target, "invalid URL, expected an absolute http or https URL");
        HttpMethod httpMethod;
        try
        {
            httpMethod = new HttpMethod(method);
        }
        catch (FormatException)
        {
            return Failed(method, spec.Target, "invalid method");
        }

        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        try
        {
            using var request = new HttpRequestMessage(httpMethod, url);
            request.Headers.ConnectionClose = true;
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Mesh-Health-Check", null));
            request.Headers.Accept.ParseAdd("text/plain, text/*, */*");
            var client = spec.TlsSkipVerify ? _skipping : _verifying;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return new ProbeResult(StatusFor(code), Answered(method, spec.Target, code, body));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(method, spec.Target, ProbeText.TimedOut(timeout));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return Failed(method, spec.Target, ProbeText.Failure(ex));
        }
    }

    /// <summary>2xx passing, 429 (too many requests) warning, anything else critical.</summary>
    public static HealthStatus StatusFor(int statusCode) => statusCode switch
    {
        >= 200 and <= 299 => HealthStatus.Passing,
        429 => HealthStatus.Warning,
        _ => HealthStatus.Critical,
    };

    /// <summary>Consul's form: <c>HTTP GET http://host/health: 200 OK Output: {body}</c>.</summary>
    public static string Answered(string method, string target, int statusCode, string body)
    {
        var phrase = ReasonPhrases.GetReasonPhrase(statusCode);
        var status = phrase.Length == 0 ? statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{statusCode} {phrase}";
        return $"HTTP {method} {target}: {status} Output: {body}";
    }

    public static ProbeResult Failed(string method, string target, string reason) =>
        new(HealthStatus.Critical, $"HTTP {method} {target}: {reason}");

    /// <summary>The body's first <see cref="MaxBodyBytes"/> bytes as text; the rest is never read.</summary>
    public static string Truncate(ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetString(body.Length > MaxBodyBytes ? body[..MaxBodyBytes] : body);

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[MaxBodyBytes];
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return Truncate(buffer.AsSpan(0, read));
    }

    private static HttpClient Create(bool skipVerify)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (skipVerify)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                // The registration asked for it (TLSSkipVerify): self-signed endpoints are common for health pages.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
        }
        // Timeouts are per check, through the token.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose()
    {
        _verifying.Dispose();
        _skipping.Dispose();
    }
}
