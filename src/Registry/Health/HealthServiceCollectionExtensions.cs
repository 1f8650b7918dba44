using Mesh.Registry.Cluster;
using Mesh.Registry.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// The health checker that runs the HTTP, TCP and TTL checks registrations declare (<c>Mesh:HealthChecks</c>),
    /// and <see cref="TtlHeartbeats"/>, which the API tells about every TTL update (<see cref="AddMeshTtlHeartbeats"/>). Needs an
    /// <see cref="Instances.IInstanceView"/> (the projections provide it), the registry and the event store.
    /// </summary>
    public static IServiceCollection AddMeshHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HealthCheckOptions>()
            .Bind(configuration.GetSection(HealthCheckOptions.Section))
            .ValidateSelfOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMeshTtlHeartbeats();
        services.AddSingleton<HealthChecker>();
        // Once per cluster: on the leading registry (in role all, the one process).
        services.AddLeaderOnlyService<HealthChecker>();
        return services;
    }

    /// <summary>
    /// <see cref="TtlHeartbeats"/> and the API's <see cref="ITtlHeartbeatSink"/>, by default
    /// <see cref="LocalTtlHeartbeatSink"/> (both <c>TryAdd</c>: the bus puts its own sink in their place in a cluster).
    /// </summary>
    public static IServiceCollection AddMeshTtlHeartbeats(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TtlHeartbeats>();
        services.TryAddSingleton<ITtlHeartbeatSink, LocalTtlHeartbeatSink>();
        return services;
    }
}
