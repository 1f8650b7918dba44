using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Formats;

namespace Mesh.Registry.Instances;

/// <summary>
/// A <see cref="RouteDeclaration"/> → its routes, one per host and path prefix, with every problem named by where its
/// value came from. The one reading of routes for every source: Docker labels <c>mesh.route.*</c>, Consul Meta
/// <c>mesh-route-*</c>, Marathon labels and marathon-lb's <c>HAPROXY_{n}_*</c>. Pure.
/// </summary>
/// <remarks>
/// Hosts: comma-separated host names, or wildcards <c>*.example.com</c> (one leading <c>*</c> label); lower-cased,
/// repeats dropped. Path: one or more prefixes starting with <c>/</c>, space-separated (as marathon-lb's
/// <c>HAPROXY_{n}_PATH</c>); default <c>/</c>. Strip prefix and HTTPS redirect: <c>true</c>/<c>false</c> in any case,
/// default false; stripping <c>/</c> is no stripping, so it is recorded as false. Timeout: a positive Go duration of at
/// most <see cref="MaxTimeout"/>; default none. Any option set without hosts is a problem: it would route nothing.
/// </remarks>
public static class RouteSettings
{
    /// <summary>The longest route timeout (problems call it 1h).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    private const string Wildcard = "*.";

    public static ImmutableArray<RouteSpec> Read(RouteDeclaration declaration, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(errors);
        if (!declaration.Hosts.IsSet)
        {
            foreach (var option in declaration.Options.Where(o => o.IsSet))
                errors.Add($"{option.Origin} '{option.Value}' needs {declaration.Hosts.Origin} (the host the route answers)");
            return [];
        }
        var paths = Paths(declaration.Path, errors);
        var hosts = Hosts(declaration.Hosts, errors);
        var stripPrefix = Flag(declaration.StripPrefix, errors);
        var httpsRedirect = Flag(declaration.HttpsRedirect, errors);
        var timeout = Timeout(declaration.Timeout, errors);
        return [.. hosts.SelectMany(host => paths.Select(path => new RouteSpec(host, path, stripPrefix && path != "/", httpsRedirect, timeout)))];
    }

    /// <summary>Why <paramref name="host"/> cannot be a route host (a host name, or <c>*.</c> and one), or null when it can.</summary>
    public static string? ExplainHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.StartsWith(Wildcard, StringComparison.Ordinal) ? host[Wildcard.Length..] : host;
        if (name.Contains('*')) return "is not a host name: '*' may only be the whole first label, as in *.example.com";
        return Uri.CheckHostName(name) == UriHostNameType.Dns ? null : "is not a host name";
    }

    private static List<string> Hosts(RouteSetting setting, List<string> errors)
    {
        var hosts = new List<string>();
        foreach (var host in setting.Value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (ExplainHost(host) is { } problem) errors.Add($"{setting.Origin} '{host}' {problem}");
            else hosts.Add(host.ToLowerInvariant());
        }
        return hosts;
    }

    private static List<string> Paths(RouteSetting setting, List<string> errors)
    {
        if (!setting.IsSet) return ["/"];
        var paths = new List<string>();
        foreach (var path in setting.Value!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal))
        {
            if (path.StartsWith('/')) paths.Add(path);
            else errors.Add($"{setting.Origin} '{path}' must start with '/'");
        }
        return paths;
    }

    private static bool Flag(RouteSetting setting, List<string> errors)
    {
        if (!setting.IsSet) return false;
        var text = setting.Value!.Trim();
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
        if (!string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            errors.Add($"{setting.Origin} '{setting.Value}' is neither true nor false");
        return false;
    }

    private static TimeSpan? Timeout(RouteSetting setting, List<string> errors)
    {
        if (!setting.IsSet) return null;
        var text = setting.Value!.Trim();
        string? problem = !GoDuration.TryParse(text, out var timeout) ? "is not a duration (e.g. 30s)"
            : timeout <= TimeSpan.Zero ? "is not positive"
            : timeout > MaxTimeout ? "is longer than 1h"
            : null;
        if (problem is null) return timeout;
        errors.Add($"{setting.Origin} '{setting.Value}' {problem}");
        return null;
    }
}
