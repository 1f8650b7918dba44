using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Projections.History;

/// <summary>
/// A point of the log as operators name it: a position (<c>1234</c>), an ISO-8601 time
/// (<c>2026-11-30T14:03:12Z</c>), or a time relative to now (<c>-15m</c>, <c>-1h30m</c>, <c>-2d</c>; units s, m, h, d).
/// Empty means now.
/// </summary>
public sealed partial record PointInTime(long? Position, DateTimeOffset? Time)
{
    public static readonly PointInTime Now = new(null, null);

    public bool IsNow => Position is null && Time is null;

    /// <summary>Reads <paramref name="text"/>; null and a reason when it is none of the forms.</summary>
    public static PointInTime? Parse(string? text, DateTimeOffset now, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() is "now") return Now;
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position)) return new PointInTime(position, null);
        if (Relative().Match(text) is { Success: true } match)
        {
            var ago = TimeSpan.Zero;
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var amount = long.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
                ago += part.Value[^1] switch
                {
                    's' => TimeSpan.FromSeconds(amount),
                    'm' => TimeSpan.FromMinutes(amount),
                    'h' => TimeSpan.FromHours(amount),
                    _ => TimeSpan.FromDays(amount),
                };
            }
            return new PointInTime(null, now - ago);
        }
        // DateTimeOffset.TryParse alone reads "12.5" as 5 December: an ISO date must come first.
        if (IsoDate().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return new PointInTime(null, time);
        error = $"'{text}' is not a position (1234), an ISO-8601 time (2026-11-30T14:03:12Z) or a time relative to now (-15m, -1h30m, -2d)";
        return null;
    }

    [GeneratedRegex(@"^-(?<part>\d{1,9}[smhd])+$")]
    private static partial Regex Relative();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();
}
