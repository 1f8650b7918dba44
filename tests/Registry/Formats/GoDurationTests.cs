using Mesh.Registry.Formats;
using Xunit;

namespace Mesh.Registry.Tests.Formats;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("-5s", -5_000)]
    public void TryParse_GoDuration_Value(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("soon")]
    [InlineData("10 s")]
    [InlineData("5d")]
    [InlineData(null)]
    public void TryParse_NotAGoDuration_False(string? text) =>
        Assert.False(GoDuration.TryParse(text, out _));
}
