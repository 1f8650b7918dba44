using Mesh.Registry.Configuration;

namespace Mesh.Gateway.Configuration;

/// <summary><c>Mesh:Gateway</c>: where the gateway listens and how it forwards.</summary>
public sealed class GatewayOptions : IValidatableOptions
{
    public const string Section = "Mesh:Gateway";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary><c>Mesh:Gateway:Url</c>: the plain HTTP listener; empty, with no HttpsUrl either, runs no gateway.</summary>
    public string? Url { get; set; } = DefaultUrl;

    /// <summary>
    /// <c>Mesh:Gateway:H2cUrl</c>: a plain-HTTP listener that speaks HTTP/2 only (prior knowledge, as gRPC clients
    /// use cleartext). Kestrel cannot offer HTTP/1.1 and cleartext HTTP/2 on one port, so h2c gets its own.
    /// </summary>
    public string? H2cUrl { get; set; }

    /// <summary><c>Mesh:Gateway:HttpsUrl</c>: the HTTPS listener (certificates chosen by SNI from <see cref="Certificates"/>).</summary>
    public string? HttpsUrl { get; set; }

    /// <summary>
    /// <c>Mesh:Gateway:HttpsRedirectPort</c>: the port a route's HTTP→HTTPS redirect names, where clients reach the
    /// HTTPS listener on another port than it listens on (a port mapping, a load balancer); default: its own.
    /// </summary>
    public int? HttpsRedirectPort { get; set; }

    /// <summary><c>Mesh:Gateway:Certificates:&lt;n&gt;</c>: PEM certificate and key files, reloaded when they change.</summary>
    public List<GatewayCertificateOptions> Certificates { get; set; } = [];

    /// <summary><c>Mesh:Gateway:Grace</c>: how long a request waits for a service that had a passing instance a moment ago.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Mesh:Gateway:Timeout</c>: the longest a proxied request may stay silent, where its route sets none.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary><c>Mesh:Gateway:ConnectTimeout</c>: the longest a connection to an instance may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Mesh:Gateway:Retries</c>: further instances an idempotent request tries when it cannot connect.</summary>
    public int Retries { get; set; } = 2;

    /// <summary><c>Mesh:Gateway:PassiveHealth:Failures</c>: consecutive failures (connection errors, 5xx) that take an instance out.</summary>
    public PassiveHealthOptions PassiveHealth { get; set; } = new();

    /// <summary>
    /// <c>Mesh:Gateway:VersionCookie</c>: the cookie (per service, <c>&lt;name&gt;.&lt;cluster&gt;</c>) that keeps a client on
    /// the deploy version that served its first response; empty turns version stickiness off.
    /// </summary>
    public string VersionCookie { get; set; } = "mesh-version";

    /// <summary>
    /// <c>Mesh:Gateway:InlineScheduling</c>: run requests on the socket threads instead of dispatching them to the
    /// thread pool (Kestrel's <c>UnsafePreferInlineScheduling</c>). Pairs with the environment variable
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary><c>Mesh:Dns:Domain</c>, <c>Mesh:Dns:TestDomain</c> (copied in by AddMeshGateway): the generated hosts' domains.</summary>
    public string Domain { get; set; } = Projections.Routes.RouteTableOptions.DefaultDomain;

    public string TestDomain { get; set; } = Projections.Routes.RouteTableOptions.DefaultTestDomain;

    /// <summary><c>Mesh:Api:Url</c> (copied in): never a destination of a generated route, so the gateway does not expose the API.</summary>
    public string? ApiUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(HttpsUrl) || !string.IsNullOrWhiteSpace(H2cUrl);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckUrl(errors, "Url", Url, Uri.UriSchemeHttp);
        CheckUrl(errors, "HttpsUrl", HttpsUrl, Uri.UriSchemeHttps);
        CheckUrl(errors, "H2cUrl", H2cUrl, Uri.UriSchemeHttp);
        if (HttpsRedirectPort is < 1 or > 65535) errors.Add($"{Section}:HttpsRedirectPort must be a port (1 to 65535)");
        if (Grace < TimeSpan.Zero) errors.Add($"{Section}:Grace must not be negative");
        if (Timeout <= TimeSpan.Zero) errors.Add($"{Section}:Timeout must be positive");
        if (ConnectTimeout <= TimeSpan.Zero) errors.Add($"{Section}:ConnectTimeout must be positive");
        if (Retries is < 0 or > 10) errors.Add($"{Section}:Retries must be from 0 to 10");
        if (PassiveHealth.Failures < 1) errors.Add($"{Section}:PassiveHealth:Failures must be at least 1");
        if (PassiveHealth.Reactivation <= TimeSpan.Zero) errors.Add($"{Section}:PassiveHealth:Reactivation must be positive");
        if (VersionCookie.Length > 0 && !VersionCookie.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add($"{Section}:VersionCookie '{VersionCookie}' may hold only letters, digits, '-', '_' and '.'");
        errors.AddRange(Tls.CertificateValidator.Validate(HttpsUrl, Certificates));
        return errors;
    }

    private static void CheckUrl(List<string> errors, string key, string? url, string scheme)
    {
        if (string.IsNullOrWhiteSpace(url)) return;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != scheme)
            errors.Add($"{Section}:{key} '{url}' must be an absolute {scheme}:// URL");
    }
}

/// <summary><c>Mesh:Gateway:PassiveHealth</c>: when an instance that keeps failing is taken out, and for how long.</summary>
public sealed class PassiveHealthOptions
{
    public int Failures { get; set; } = 3;

    public TimeSpan Reactivation { get; set; } = TimeSpan.FromSeconds(10);
}
