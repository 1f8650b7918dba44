using Mesh.Registry.Cluster;
using Mesh.Registry.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Sources.Marathon;

public static class MarathonSourceServiceCollectionExtensions
{
    /// <summary>
    /// The Marathon source, when <c>Mesh:Sources:Marathon:Urls</c> lists at least one master (its settings are
    /// validated at start, each problem naming its key), with its <see cref="MarathonSourceStatus"/>. Needs the
    /// registry, an <see cref="Instances.IInstanceView"/> (the projections provide it) and the event store.
    /// </summary>
    public static IServiceCollection AddMeshMarathonSource(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MarathonSourceOptions.Section);
        services.AddOptions<MarathonSourceOptions>().Bind(section).ValidateSelfOnStart();
        if (section.GetSection(nameof(MarathonSourceOptions.Urls)).GetChildren().All(c => string.IsNullOrWhiteSpace(c.Value))) return services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MarathonSourceOptions>>().Value;
            return new MarathonSourceStatus(options.Urls, options.Node);
        });
        services.AddSingleton<MarathonSource>();
        // Once per cluster: on the leading registry (in role all, the one process).
        services.AddLeaderOnlyService<MarathonSource>();
        return services;
    }

}
