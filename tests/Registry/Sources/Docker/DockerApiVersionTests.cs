using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class DockerApiVersionTests
{
    [Theory]
    [InlineData("1.41", "1.41")] // Debian's docker.io 20.10
    [InlineData("1.45", "1.45")]
    [InlineData("1.52", "1.52")]
    [InlineData("1.60", "1.52")] // a newer engine: the client's own version
    [InlineData("2.0", "1.52")]
    public void TryNegotiate_EngineVersion_IsTheLowerOfEngineAndClient(string engine, string expected)
    {
        Assert.True(DockerApiVersion.TryNegotiate(engine, out var version, out var error));
        Assert.Null(error);
        Assert.Equal(Version.Parse(expected), version);
    }

    [Theory]
    [InlineData("1.40", "1.41")]
    [InlineData("1.24", "1.41")]
    [InlineData("", "not a version")]
    [InlineData(null, "not a version")]
    [InlineData("one.two", "not a version")]
    public void TryNegotiate_TooOldOrUnreadable_IsRefusedWithTheReason(string? engine, string reason)
    {
        Assert.False(DockerApiVersion.TryNegotiate(engine, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
