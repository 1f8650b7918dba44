using Mesh.Host.Api;
using Mesh.Host.Api.Consul;
using Mesh.Host.Api.Mesh;
using Mesh.Host.Configuration;
using Mesh.Host.Observability;
using Mesh.Host.Ui;
using Mesh.Bus;
using Mesh.Registry.Cluster;
using Mesh.Dns;
using Mesh.Gateway;
using Mesh.Nginx;
using Mesh.Projections;
using Mesh.Projections.Snapshots;
using Mesh.Registry;
using Mesh.Registry.Health;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Sources.Marathon;
using Microsoft.Extensions.Options;

namespace Mesh.Host;

/// <summary>
/// Composition of the <c>mesh run</c> process: configuration, the components of role <c>all</c>, and the HTTP API.
/// Tests build the same application through <see cref="Build"/>.
/// </summary>
public static class MeshApp
{
    /// <summary>Builds the application; throws <see cref="ConfigurationException"/> when the configuration is invalid.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables();
        configure?.Invoke(builder);

        var mesh = Bind<MeshOptions>(builder.Configuration, MeshOptions.Section);
        var api = Bind<ApiOptions>(builder.Configuration, ApiOptions.Section);
        var errors = ConfigurationValidator.Validate(mesh, api, builder.Configuration);
        if (errors.Count > 0) throw new ConfigurationException(errors);

        var dataDir = Path.GetFullPath(mesh.DataDir);
        builder.WebHost.UseUrls(api.Url);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        // The API speaks Consul's JSON: PascalCase field names, exactly as Consul clients expect them.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);
        builder.Services.Configure<MeshOptions>(builder.Configuration.GetSection(MeshOptions.Section));
        builder.Services.Configure<ApiOptions>(builder.Configuration.GetSection(ApiOptions.Section));
        try
        {
            AddRole(builder.Services, builder.Configuration, mesh.Role, dataDir);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // Components bind their sections while registering; the binder's message names the key and the value.
            throw new ConfigurationException([ex.Message]);
        }
        builder.Services.AddSingleton(new MeshRole(mesh.Role));
        builder.Services.AddMeshObservability();
        builder.Services.AddMeshConsulApi();

        var app = builder.Build();
        app.UseMeshObservability();
        app.UseRegistryUnavailableAs503();
        app.MapMeshStatus();
        // An agent has no registry of its own to show: /healthz, /metrics and /v1/mesh/status only.
        if (mesh.Role != MeshOptions.Agent)
        {
            app.MapMeshEnvironments();
            app.MapMeshHistory();
            app.MapMeshUi();
            app.MapConsulApi();
        }
        return app;
    }

    /// <summary>
    /// The components of <paramref name="role"/>:
    /// <list type="bullet">
    /// <item><c>all</c>: everything in one process; sources hand observations straight to the registry.</item>
    /// <item><c>agent</c>: the Docker source of its host, observations sent over the bus. It follows the log (read
    /// only) for the registry view the source reconciles against.</item>
    /// <item><c>registry</c>: decides observations from the bus and API writes, appends; health checks, the Marathon
    /// source and snapshot archiving on the leader only.</item>
    /// <item><c>edge</c>: follows the log from its own checkpoint and serves the gateway, DNS, nginx and the read
    /// APIs; API writes go to a registry over the bus.</item>
    /// </list>
    /// </summary>
    private static void AddRole(IServiceCollection services, IConfiguration configuration, string role, string dataDir)
    {
        services.AddMeshRegistry(configuration, dataDir);
        services.AddMeshProjections(configuration, dataDir);
        if (role is MeshOptions.Agent or MeshOptions.Edge) services.Configure<SnapshotOptions>(o => o.Archive = false);
        switch (role)
        {
            case MeshOptions.Agent:
                services.AddMeshDockerSource(configuration);
                services.AddMeshBus(configuration, BusRole.Agent);
                break;
            case MeshOptions.Registry:
                services.AddMeshLeaderElection();
                services.AddMeshHealthChecks(configuration);
                services.AddMeshMarathonSource(configuration);
                services.AddMeshBus(configuration, BusRole.Registry);
                break;
            case MeshOptions.Edge:
                // The Consul API's TTL endpoints note beats here; the TTL clock itself runs on the leading registry,
                // which gets them over the bus (AddMeshBus puts its sink in place of the local one).
                services.AddMeshTtlHeartbeats();
                services.AddMeshNginx(configuration);
                services.AddMeshGateway(configuration);
                services.AddMeshDns(configuration);
                services.AddMeshBus(configuration, BusRole.Edge);
                break;
            default:
                services.AddMeshHealthChecks(configuration);
                services.AddMeshDockerSource(configuration);
                services.AddMeshMarathonSource(configuration);
                services.AddMeshNginx(configuration);
                services.AddMeshGateway(configuration);
                services.AddMeshDns(configuration);
                break;
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the value it could not convert.
            throw new ConfigurationException([ex.Message]);
        }
        return options;
    }
}

/// <summary>The configuration is invalid; <see cref="Exception.Message"/> lists every problem with its key.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
