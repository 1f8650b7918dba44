using System.Collections.Immutable;
using Mesh.Projections.Routes;
using Mesh.Registry.Events;

namespace Mesh.Projections.History;

/// <summary>How history writes statuses, endpoints and outputs: the same words in diffs and timelines.</summary>
internal static class HistoryText
{
    /// <summary>Enough of a check's output to tell failures apart; the event itself keeps all of it.</summary>
    public const int MaxOutput = 120;

    public static string Status(HealthStatus status) => status switch
    {
        HealthStatus.Passing => "passing",
        HealthStatus.Warning => "warning",
        _ => "critical",
    };

    /// <summary><c>address:port</c>, an IPv6 address in brackets.</summary>
    public static string Endpoint(string address, int port) =>
        address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";

    public static ImmutableArray<string> Endpoints(RouteCluster cluster) =>
        [.. cluster.Destinations.Select(d => Endpoint(d.Address, d.Port))];

    /// <summary>The first line of <paramref name="text"/>, cut at <see cref="MaxOutput"/> characters.</summary>
    public static string Short(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var line = text.AsSpan().Trim();
        var newline = line.IndexOfAny('\r', '\n');
        if (newline >= 0) line = line[..newline].TrimEnd();
        return line.Length <= MaxOutput ? line.ToString() : $"{line[..(MaxOutput - 1)]}…";
    }
}
