namespace Mesh.Host.Observability;

/// <summary>Prometheus metrics at <c>/metrics</c>.</summary>
internal static class Observability
{
    public static IServiceCollection AddMeshObservability(this IServiceCollection services) => services;

    public static WebApplication UseMeshObservability(this WebApplication app) => app;
}
