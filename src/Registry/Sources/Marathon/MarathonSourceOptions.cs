using Mesh.Registry.Configuration;
namespace Mesh.Registry.Sources.Marathon;

/// <summary><c>Mesh:Sources:Marathon</c>: the Marathon masters whose apps and tasks this process follows.</summary>
public sealed class MarathonSourceOptions : IValidatableOptions
{
    public const string Section = "Mesh:Sources:Marathon";

    /// <summary><c>Urls</c>: the Marathon masters (http or https), tried in order; empty: no Marathon source.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary><c>Group</c>: when set, only apps whose <c>HAPROXY_GROUP</c> is this group get routes.</summary>
    public string? Group { get; set; }

    /// <summary><c>ReconcileInterval</c>: how often to list the apps and fix what events missed.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>MaxBackoff</c>: the longest wait between reconnect attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Node</c>: the node name Marathon's instances are registered under.</summary>
    public string Node { get; set; } = "marathon";

    /// <summary>Every problem with these settings, each naming its key; empty when they are valid (or the source is off).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Urls.Count == 0) return errors;
        for (var i = 0; i < Urls.Count; i++)
        {
            if (ParseUrl(Urls[i]) is null)
                errors.Add($"{Section}:Urls:{i} must be an absolute http:// or https:// URL (was '{Urls[i]}')");
        }
        if (string.IsNullOrWhiteSpace(Node) || Node.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/'))
            errors.Add($"{Section}:Node must be a name without whitespace or '/' (was '{Node}')");
        if (Group is not null && string.IsNullOrWhiteSpace(Group))
            errors.Add($"{Section}:Group must not be blank");
        if (ReconcileInterval <= TimeSpan.Zero) errors.Add($"{Section}:ReconcileInterval must be positive (was {ReconcileInterval})");
        if (MaxBackoff <= TimeSpan.Zero) errors.Add($"{Section}:MaxBackoff must be positive (was {MaxBackoff})");
        return errors;
    }

    internal static Uri? ParseUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? uri
            : null;
}
