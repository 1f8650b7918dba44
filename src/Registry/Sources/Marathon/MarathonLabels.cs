namespace Mesh.Registry.Sources.Marathon;

/// <summary>The app labels Mesh reads: the mesh.* labels as for Docker, plus marathon-lb's HAPROXY_* keys.</summary>
internal static class MarathonLabels
{
    public const string Service = "mesh.service";
    public const string Env = "mesh.env";
    public const string Tags = "mesh.tags";
    public const string Version = "mesh.version";
    public const string Address = "mesh.address";
    public const string Ignore = "mesh.ignore";
    public const string RouteHost = "mesh.route.host";
    public const string RoutePath = "mesh.route.path";
    public const string RouteStripPrefix = "mesh.route.strip-prefix";
    public const string RouteHttpsRedirect = "mesh.route.https-redirect";
    public const string RouteTimeout = "mesh.route.timeout";

    public const string HaproxyGroup = "HAPROXY_GROUP";

    /// <summary><c>HAPROXY_{n}_VHOST</c>: comma-separated virtual hosts of the app's port n.</summary>
    public const string HaproxyVhostPrefix = "HAPROXY_";
    public const string HaproxyVhostSuffix = "_VHOST";

    /// <summary><c>HAPROXY_{n}_PATH</c>: the path prefix(es), space-separated, of port n's virtual hosts.</summary>
    public const string HaproxyPathSuffix = "_PATH";

    /// <summary><c>HAPROXY_{n}_REDIRECT_TO_HTTPS</c>: true/false, whether port n's virtual hosts redirect HTTP to HTTPS.</summary>
    public const string HaproxyRedirectToHttpsSuffix = "_REDIRECT_TO_HTTPS";
}
