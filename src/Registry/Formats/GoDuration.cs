using System.Globalization;
using System.Text;

namespace Mesh.Registry.Formats;

/// <summary>
/// Go's <c>time.Duration</c> text, which Consul (check intervals, blocking <c>wait</c>) and registrator's labels use:
/// "10s", "1m30s", "90m", "500ms", "1.5h", "0".
/// </summary>
public static class GoDuration
{
    private const long NanosPerTick = 100;

    /// <summary>Parses a Go duration string; false when it is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s is "0")
            return true;
        if (s.IsEmpty) return false;

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.')) numberLength++;
            if (numberLength == 0) return false;
            if (!decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            s = s[numberLength..];

            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.') unitLength++;
            decimal? unitNanos = s[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unitNanos is null) return false;
            s = s[unitLength..];
            try
            {
                totalNanos += number * unitNanos.Value;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        var ticks = totalNanos / NanosPerTick;
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)decimal.Round(ticks, MidpointRounding.AwayFromZero));
        if (negative) value = -value;
        return true;
    }

    /// <summary>Formats as Go does: "0s", "500ms", "10s", "1m30s", "1h0m0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Duration();
        }
        var nanos = (decimal)value.Ticks * NanosPerTick;
        if (value < TimeSpan.FromSeconds(1))
        {
            var (unit, size) = nanos switch
            {
                < 1_000m => ("ns", 1m),
                < 1_000_000m => ("µs", 1_000m),
                _ => ("ms", 1_000_000m),
            };
            return sb.Append(Fraction(nanos / size)).Append(unit).ToString();
        }
        var hours = (long)value.TotalHours;
        var minutes = value.Minutes;
        var seconds = (nanos - ((hours * 3600m + minutes * 60m) * 1_000_000_000m)) / 1_000_000_000m;
        if (hours > 0) sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        return sb.Append(Fraction(seconds)).Append('s').ToString();
    }

    private static string Fraction(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
}
