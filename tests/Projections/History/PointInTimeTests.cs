using Mesh.Projections.History;
using Xunit;

namespace Mesh.Projections.Tests.History;

public sealed class PointInTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 15, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("now")]
    public void Nothing_or_now_means_now(string? text) => Assert.True(PointInTime.Parse(text, Now, out _)!.IsNow);

    [Fact]
    public void A_number_is_a_position() => Assert.Equal(new PointInTime(1234, null), PointInTime.Parse("1234", Now, out _));

    [Theory]
    [InlineData("-15m", 0, 15, 0)]
    [InlineData("-1h30m", 1, 30, 0)]
    [InlineData("-45s", 0, 0, 45)]
    [InlineData("-2d", 48, 0, 0)]
    public void A_relative_time_counts_back_from_now(string text, int hours, int minutes, int seconds) =>
        Assert.Equal(Now - new TimeSpan(hours, minutes, seconds), PointInTime.Parse(text, Now, out _)!.Time);

    [Theory]
    [InlineData("2026-11-30T14:03:12Z", "2026-11-30T14:03:12+00:00")]
    [InlineData("2026-11-30T15:03:12+01:00", "2026-11-30T14:03:12+00:00")]
    [InlineData("2026-11-30 14:03:12", "2026-11-30T14:03:12+00:00")]
    public void An_iso_time_without_an_offset_is_utc(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PointInTime.Parse(text, Now, out _)!.Time);

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-15")]
    [InlineData("15m")]
    [InlineData("-1w")]
    [InlineData("12.5")]
    public void Anything_else_is_refused_with_the_forms_named(string text)
    {
        Assert.Null(PointInTime.Parse(text, Now, out var error));
        Assert.Contains($"'{text}' is not a position (1234), an ISO-8601 time", error, StringComparison.Ordinal);
    }
}
