using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Registry.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Leader election among registries sharing the PostgreSQL store (<c>Mesh:Store:ConnectionString</c>): the
    /// services registered with <see cref="LeaderOnlyServicesExtensions.AddLeaderOnlyService{T}"/> run on the leader
    /// only. Without it, the process always leads (<see cref="AlwaysLeader"/>).
    /// </summary>
    public static IServiceCollection AddMeshLeaderElection(this IServiceCollection services)
    {
        services.RemoveAll<ILeadership>();
        services.AddSingleton<PostgresLeadership>();
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgresLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLeadership>());
        return services;
    }
}
