namespace Mesh.Registry.Instances;

/// <summary>
/// The settings of one route declaration: its hosts (comma-separated) and the options every host shares. An option a
/// source does not have is left unset (<c>default</c>).
/// </summary>
public sealed record RouteDeclaration(
    RouteSetting Hosts,
    RouteSetting Path = default,
    RouteSetting StripPrefix = default,
    RouteSetting HttpsRedirect = default,
    RouteSetting Timeout = default)
{
    /// <summary>Every setting but the hosts, in the order problems are reported.</summary>
    public IEnumerable<RouteSetting> Options => [Path, StripPrefix, HttpsRedirect, Timeout];
}
