using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class TcpProbeTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1", 6379)]
    [InlineData("redis.internal:6379", "redis.internal", 6379)]
    [InlineData("[::1]:80", "::1", 80)]
    [InlineData("[fe80::1]:65535", "fe80::1", 65535)]
    [InlineData("h:1", "h", 1)]
    public void TryParseTarget_HostAndPort_Parses(string target, string host, int port)
    {
        Assert.True(TcpProbe.TryParseTarget(target, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData(":80")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:+80")]
    [InlineData("host:http")]
    [InlineData("::1:80")]
    [InlineData("[]:80")]
    [InlineData("my host:80")]
    public void TryParseTarget_NotHostAndPort_Fails(string? target) =>
        Assert.False(TcpProbe.TryParseTarget(target, out _, out _));

    [Theory]
    [InlineData(true, "Success", HealthStatus.Passing, "TCP connect 10.0.0.5:6379: Success")]
    [InlineData(false, "Connection refused", HealthStatus.Critical, "TCP connect 10.0.0.5:6379: Connection refused")]
    public void Result_ReadsLikeConsul(bool connected, string reason, HealthStatus status, string output) =>
        Assert.Equal(new ProbeResult(status, output), TcpProbe.Result("10.0.0.5:6379", connected, reason));

    [Fact]
    public async Task RunAsync_InvalidTarget_IsCriticalWithoutConnecting()
    {
        var spec = new CheckSpec("c", "c", CheckKind.Tcp, "no-port", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), null, HealthStatus.Critical);

        var result = await TcpProbe.RunAsync(spec, spec.Timeout, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(new ProbeResult(HealthStatus.Critical, "TCP connect no-port: invalid address, expected host:port"), result);
    }
}
