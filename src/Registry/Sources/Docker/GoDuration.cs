using System.Globalization;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Go's <c>time.Duration</c> text ("10s", "1m30s", "1.5h", "500ms"), which registrator's <c>SERVICE_CHECK_INTERVAL</c>
/// uses and <c>mesh.check.interval</c> keeps. (The Consul API parses the same syntax in Host; Host cannot see
/// Registry's internals, hence this small copy.)
/// </summary>
internal static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan();
        var negative = s[0] == '-';
        if (s[0] is '-' or '+') s = s[1..];
        if (s is "0") return true;
        if (s.IsEmpty) return false;

        decimal nanos = 0;
        while (!s.IsEmpty)
        {
            var digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.')) digits++;
            if (digits == 0 || !decimal.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            s = s[digits..];

            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.') unitLength++;
            decimal? unit = s[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unit is null) return false;
            s = s[unitLength..];
            try
            {
                nanos += number * unit.Value;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        var ticks = decimal.Round(nanos / 100m, MidpointRounding.AwayFromZero);
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)ticks);
        if (negative) value = -value;
        return true;
    }
}
