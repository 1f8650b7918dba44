using Mesh.Host.Api.Consul;
using Mesh.Host.Api.Mesh;
using Mesh.Host.Configuration;
using Mesh.Host.Observability;
using Mesh.Host.Ui;
using Mesh.Dns;
using Mesh.Gateway;
using Mesh.Nginx;
using Mesh.Projections;
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
        var errors = ConfigurationValidator.Validate(mesh, api);
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
            builder.Services.AddMeshRegistry(builder.Configuration, dataDir);
            builder.Services.AddMeshProjections(builder.Configuration, dataDir);
            builder.Services.AddMeshHealthChecks(builder.Configuration);
            builder.Services.AddMeshDockerSource(builder.Configuration);
            builder.Services.AddMeshMarathonSource(builder.Configuration);
            builder.Services.AddMeshNginx(builder.Configuration);
            builder.Services.AddMeshGateway(builder.Configuration);
            builder.Services.AddMeshDns(builder.Configuration);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // Components bind their sections while registering; the binder's message names the key and the value.
            throw new ConfigurationException([ex.Message]);
        }
        builder.Services.AddMeshObservability();
        builder.Services.AddMeshConsulApi();

        var app = builder.Build();
        app.UseMeshObservability();
        app.MapMeshStatus();
        app.MapMeshEnvironments();
        app.MapMeshHistory();
        app.MapMeshUi();
        app.MapConsulApi();
        return app;
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
