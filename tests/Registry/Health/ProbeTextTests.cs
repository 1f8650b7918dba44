using System.Net.Sockets;
using Mesh.Registry.Health;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class ProbeTextTests
{
    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(1_000, "1s")]
    [InlineData(90_000, "90s")]
    [InlineData(250, "250ms")]
    [InlineData(0, "0ms")]
    public void Duration_IsShortAndStable(int milliseconds, string expected) =>
        Assert.Equal(expected, ProbeText.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void TimedOut_NamesTheConfiguredTimeout() =>
        Assert.Equal("timed out after 2s", ProbeText.TimedOut(TimeSpan.FromSeconds(2)));

    [Fact]
    public void Failure_OfAWrappedSocketError_IsTheSocketError()
    {
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        var wrapped = new HttpRequestException(HttpRequestError.ConnectionError, $"{refused.Message} (127.0.0.1:1)", refused);

        Assert.Equal(refused.Message, ProbeText.Failure(wrapped));
        Assert.Equal(refused.Message, ProbeText.Failure(refused));
    }

    [Fact]
    public void Failure_WithoutAnInnerException_IsTheMessage() =>
        Assert.Equal("The response ended prematurely.", ProbeText.Failure(new HttpRequestException("The response ended prematurely.")));

    [Fact]
    public void Failure_WithANonSocketInnerException_NamesBoth() =>
        Assert.Equal("The SSL connection could not be established. The remote certificate is invalid.",
            ProbeText.Failure(new HttpRequestException("The SSL connection could not be established.",
                new System.Security.Authentication.AuthenticationException("The remote certificate is invalid."))));
}
