using Mesh.Registry.Formats;
using Xunit;

namespace Mesh.Registry.Tests.Formats;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("90m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("1h0m0s", 3_600_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData(".5s", 500)]
    [InlineData("2000us", 2)]
    [InlineData("2000µs", 2)]
    [InlineData("3000000ns", 3)]
    [InlineData("-5s", -5_000)]
    public void TryParse_GoDuration_GivesItsLength(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("s")]
    [InlineData("1m30")]
    [InlineData("ten seconds")]
    [InlineData("1.2.3s")]
    [InlineData("-")]
    [InlineData("soon")]
    [InlineData("10 s")]
    [InlineData("5d")]
    [InlineData(null)]
    public void TryParse_NotAGoDuration_IsFalse(string? text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(5_400_000, "1h30m0s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(-2_000, "-2s")]
    public void Format_WritesWhatGoWrites(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
