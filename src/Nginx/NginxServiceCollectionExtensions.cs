using Mesh.Nginx.Configuration;
using Mesh.Projections.Feed;
using Mesh.Registry.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Nginx;

public static class NginxServiceCollectionExtensions
{
    /// <summary>
    /// One renderer per target under <c>Mesh:Nginx:Targets</c>; none configured, nothing runs. Invalid options fail
    /// the start with every problem named by key.
    /// </summary>
    public static IServiceCollection AddMeshNginx(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new NginxOptions();
        configuration.GetSection(NginxOptions.Section).Bind(options);
        var testDomain = configuration["Mesh:Dns:TestDomain"];
        foreach (var t in options.Targets.Values) t.TestDomain ??= testDomain;

        services.TryAddSingleton<NginxStatus>();
        services.TryAddSingleton(TimeProvider.System);
        if (options.Targets.Count == 0) return services;

        services.AddOptions<NginxOptions>().Configure(o => o.Targets = options.Targets).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NginxOptions>, NginxOptionsValidator>();
        foreach (var (name, target) in options.Targets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            services.AddSingleton<IHostedService>(sp =>
            {
                // Resolving the options runs the validator first, so a bad target never starts.
                _ = sp.GetRequiredService<IOptions<NginxOptions>>().Value;
                return new NginxRenderer(name, target, sp.GetRequiredService<RegistryFeed>(), sp.GetRequiredService<IEventWriter>(),
                    sp.GetRequiredService<NginxStatus>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NginxRenderer>>());
            });
        }
        return services;
    }
}
