namespace Mesh.Nginx.Model;

/// <summary>A server block for one host name (a declared route's host, or an environment host).</summary>
public sealed record NginxServer(string Host, IReadOnlyList<NginxLocation> Locations);

/// <summary>
/// A location: <see cref="Path"/> as nginx matches it; with <see cref="StripPrefix"/> the prefix is removed
/// before proxying (the template appends <c>/</c> to <c>proxy_pass</c>).
/// </summary>
public sealed record NginxLocation(string Path, string Upstream, bool StripPrefix);
