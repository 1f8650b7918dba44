using Mesh.Gateway.Configuration;

namespace Mesh.Gateway.Tests.Configuration;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndListenOnTheMapsPort()
    {
        var options = new GatewayOptions();

        Assert.Empty(options.Validate());
        Assert.Equal("http://127.0.0.1:8080", options.Url);
        Assert.True(options.Enabled);
    }

    [Fact]
    public void NoListener_MeansNoGateway()
    {
        Assert.False(new GatewayOptions { Url = "" }.Enabled);
        Assert.True(new GatewayOptions { Url = "", H2cUrl = "http://127.0.0.1:8081" }.Enabled);
    }

    [Fact]
    public void EveryProblem_IsReportedTogether_NamingItsKey()
    {
        var options = new GatewayOptions
        {
            Url = "ftp://x",
            H2cUrl = "nonsense",
            HttpsUrl = "http://127.0.0.1:8443",
            Grace = TimeSpan.FromSeconds(-1),
            Timeout = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.Zero,
            Retries = 11,
            PassiveHealth = new PassiveHealthOptions { Failures = 0, Reactivation = TimeSpan.Zero },
            VersionCookie = "a b",
            HttpsRedirectPort = 70000,
        };

        var errors = options.Validate();

        Assert.Contains("Mesh:Gateway:Url 'ftp://x' must be an absolute http:// URL", errors);
        Assert.Contains("Mesh:Gateway:H2cUrl 'nonsense' must be an absolute http:// URL", errors);
        Assert.Contains("Mesh:Gateway:HttpsUrl 'http://127.0.0.1:8443' must be an absolute https:// URL", errors);
        Assert.Contains("Mesh:Gateway:Grace must not be negative", errors);
        Assert.Contains("Mesh:Gateway:Timeout must be positive", errors);
        Assert.Contains("Mesh:Gateway:ConnectTimeout must be positive", errors);
        Assert.Contains("Mesh:Gateway:Retries must be from 0 to 10", errors);
        Assert.Contains("Mesh:Gateway:PassiveHealth:Failures must be at least 1", errors);
        Assert.Contains("Mesh:Gateway:PassiveHealth:Reactivation must be positive", errors);
        Assert.Contains("Mesh:Gateway:VersionCookie 'a b' may hold only letters, digits, '-', '_' and '.'", errors);
        Assert.Contains("Mesh:Gateway:HttpsRedirectPort must be a port (1 to 65535)", errors);
        Assert.Contains(errors, e => e.StartsWith("Mesh:Gateway:HttpsUrl is set but no certificate is configured", StringComparison.Ordinal));
    }
}
