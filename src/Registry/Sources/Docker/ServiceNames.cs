using System.Text;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>The service name of a container without a name label: its container name, made a DNS label.</summary>
internal static class ServiceNames
{
    /// <summary>
    /// Leading '/' dropped; Docker Compose's replica suffix ("-2", "_2") dropped when the compose label says that is
    /// what it is, so the replicas of one compose service share one name; lowercased; every run of characters outside
    /// [a-z0-9] becomes one '-'; '-' trimmed at both ends; cut to 63 characters. Empty when nothing is left.
    /// </summary>
    public static string FromContainerName(string? containerName, string? composeContainerNumber)
    {
        var name = (containerName ?? "").TrimStart('/');
        if (composeContainerNumber is { Length: > 0 } number
            && (name.EndsWith("-" + number, StringComparison.Ordinal) || name.EndsWith("_" + number, StringComparison.Ordinal)))
            name = name[..^(number.Length + 1)];

        var label = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') label.Append(c);
            else if (label.Length > 0 && label[^1] != '-') label.Append('-');
        }
        var result = label.ToString().Trim('-');
        return result.Length <= DnsLabel.MaxLength ? result : result[..DnsLabel.MaxLength].TrimEnd('-');
    }
}
