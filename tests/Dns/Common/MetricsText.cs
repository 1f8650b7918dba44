using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Prometheus;

namespace Mesh.Dns.Tests.Common;

/// <summary>Reads a <see cref="CollectorRegistry"/> the way a scraper does: its text exposition, series by labels.</summary>
internal static partial class MetricsText
{
    /// <summary>
    /// The sum of the series named <paramref name="name"/> whose labels include <paramref name="labels"/> (0 when
    /// there is none).
    /// </summary>
    public static async Task<double> ValueAsync(CollectorRegistry registry, string name, params (string Key, string Value)[] labels)
    {
        var text = await ExportAsync(registry);
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var match = Series().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var found = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(l => found.TryGetValue(l.Key, out var v) && v == l.Value))
                sum += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    public static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Series();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
