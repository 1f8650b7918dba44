namespace Mesh.Registry.Sources.Docker;

/// <summary>The container labels and registrator keys Mesh reads (see README.md in this folder).</summary>
internal static class MeshLabels
{
    public const string Service = "mesh.service";
    public const string Port = "mesh.port";
    public const string Tags = "mesh.tags";
    public const string Env = "mesh.env";
    public const string Version = "mesh.version";
    public const string RouteHost = "mesh.route.host";
    public const string RoutePath = "mesh.route.path";
    public const string RouteStripPrefix = "mesh.route.strip-prefix";
    public const string RouteHttpsRedirect = "mesh.route.https-redirect";
    public const string RouteTimeout = "mesh.route.timeout";
    public const string CheckHttp = "mesh.check.http";
    public const string CheckInterval = "mesh.check.interval";
    public const string Ignore = "mesh.ignore";

    // registrator's keys, without their SERVICE_ (or SERVICE_<port>_) prefix.
    public const string RegistratorName = "NAME";
    public const string RegistratorTags = "TAGS";
    public const string RegistratorId = "ID";
    public const string RegistratorIgnore = "IGNORE";
    public const string RegistratorCheckHttp = "CHECK_HTTP";
    public const string RegistratorCheckInterval = "CHECK_INTERVAL";

    // Set by Docker Compose on every container it creates; used to drop its replica suffix from derived names.
    public const string ComposeContainerNumber = "com.docker.compose.container-number";
}
