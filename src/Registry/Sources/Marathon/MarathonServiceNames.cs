using System.Text;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Marathon;

/// <summary>The service name of an app without a <c>mesh.service</c> label, derived from its id.</summary>
internal static class MarathonServiceNames
{
    /// <summary>
    /// <c>/movie-backend/bis-gateway</c> → <c>bis-gateway-movie-backend</c>: the app name, then its groups innermost
    /// first, joined by '-'; lowercased; every run of characters outside [a-z0-9] becomes one '-'; '-' trimmed at both
    /// ends; cut to 63 characters. Empty when nothing is left.
    /// </summary>
    public static string FromAppId(string? appId)
    {
        var parts = (appId ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        Array.Reverse(parts);
        var joined = string.Join('-', parts);
        var label = new StringBuilder(joined.Length);
        foreach (var c in joined.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') label.Append(c);
            else if (label.Length > 0 && label[^1] != '-') label.Append('-');
        }
        var result = label.ToString().Trim('-');
        return result.Length <= DnsLabel.MaxLength ? result : result[..DnsLabel.MaxLength].TrimEnd('-');
    }
}
