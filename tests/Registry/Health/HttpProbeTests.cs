using System.Text;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class HttpProbeTests
{
    [Theory]
    [InlineData(200, HealthStatus.Passing)]
    [InlineData(201, HealthStatus.Passing)]
    [InlineData(204, HealthStatus.Passing)]
    [InlineData(299, HealthStatus.Passing)]
    [InlineData(429, HealthStatus.Warning)]
    [InlineData(100, HealthStatus.Critical)]
    [InlineData(199, HealthStatus.Critical)]
    [InlineData(300, HealthStatus.Critical)]
    [InlineData(301, HealthStatus.Critical)]
    [InlineData(404, HealthStatus.Critical)]
    [InlineData(428, HealthStatus.Critical)]
    [InlineData(430, HealthStatus.Critical)]
    [InlineData(500, HealthStatus.Critical)]
    [InlineData(503, HealthStatus.Critical)]
    public void StatusFor_StatusCode_IsConsulsMapping(int code, HealthStatus expected) =>
        Assert.Equal(expected, HttpProbe.StatusFor(code));

    [Theory]
    [InlineData("GET", "http://10.0.0.5:8080/health", 200, "ok", "HTTP GET http://10.0.0.5:8080/health: 200 OK Output: ok")]
    [InlineData("GET", "http://h/health", 429, "", "HTTP GET http://h/health: 429 Too Many Requests Output: ")]
    [InlineData("HEAD", "https://h/", 503, "down", "HTTP HEAD https://h/: 503 Service Unavailable Output: down")]
    [InlineData("GET", "http://h/", 599, "odd", "HTTP GET http://h/: 599 Output: odd")]
    public void Answered_ReadsLikeConsul(string method, string target, int code, string body, string expected) =>
        Assert.Equal(expected, HttpProbe.Answered(method, target, code, body));

    [Fact]
    public void Failed_IsCriticalWithTheReason()
    {
        var result = HttpProbe.Failed("GET", "http://h/", "Connection refused");

        Assert.Equal(new ProbeResult(HealthStatus.Critical, "HTTP GET http://h/: Connection refused"), result);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 4096)]
    [InlineData(100_000, 4096)]
    public void Truncate_KeepsAtMost4KiB(int length, int kept) =>
        Assert.Equal(new string('a', kept), HttpProbe.Truncate(Encoding.UTF8.GetBytes(new string('a', length))));

    [Theory]
    [InlineData("not a url", "GET", "HTTP GET not a url: invalid URL, expected an absolute http or https URL")]
    [InlineData("ftp://h/file", "GET", "HTTP GET ftp://h/file: invalid URL, expected an absolute http or https URL")]
    [InlineData("http://127.0.0.1:1/", "BAD METHOD", "HTTP BAD METHOD http://127.0.0.1:1/: invalid method")]
    public async Task RunAsync_UnusableCheck_IsCriticalSayingWhy(string target, string method, string output)
    {
        using var probe = new HttpProbe();
        var spec = new CheckSpec("c", "c", CheckKind.Http, target, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), null,
            HealthStatus.Passing, method);

        var result = await probe.RunAsync(spec, spec.Timeout, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(new ProbeResult(HealthStatus.Critical, output), result);
    }
}
