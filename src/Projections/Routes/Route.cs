namespace Mesh.Projections.Routes;

/// <summary>
/// Requests for <see cref="Host"/> (a name, or <c>*.example.com</c> for any one label in front of it) whose path
/// starts with <see cref="PathPrefix"/> (whole segments) go to <see cref="Cluster"/>. <see cref="DeclaredBy"/> is the
/// instance whose registration declared the route (null for generated routes).
/// </summary>
public sealed record Route(
    string Host,
    string PathPrefix,
    RouteCluster Cluster,
    RouteKind Kind,
    bool StripPrefix,
    bool HttpsRedirect,
    TimeSpan? Timeout,
    string? DeclaredBy)
{
    public bool IsWildcard => Host.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="path"/> is under <see cref="PathPrefix"/>: "/api" takes "/api" and "/api/x", not "/apix".</summary>
    public bool Covers(ReadOnlySpan<char> path)
    {
        var prefix = PathPrefix.AsSpan();
        if (prefix.Length == 1) return true; // "/"
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return false;
        return path.Length == prefix.Length || prefix[^1] == '/' || path[prefix.Length] == '/';
    }
}
