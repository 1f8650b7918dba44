using Mesh.Gateway.Configuration;
using Mesh.Gateway.Observability;
using Mesh.Gateway.Routing;
using Mesh.Projections.Feed;
using Mesh.Registry.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Mesh.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The gateway on <c>Mesh:Gateway:Url</c> / <c>HttpsUrl</c> (both empty: no gateway), routing from the registry
    /// feed. Its metrics go to the <see cref="CollectorRegistry"/> in the container (a private one when there is none).
    /// Invalid options fail the start with every problem named by key.
    /// </summary>
    public static IServiceCollection AddMeshGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new GatewayOptions();
        configuration.GetSection(GatewayOptions.Section).Bind(options);
        if (!options.Enabled) return services;
        options.Domain = configuration["Mesh:Dns:Domain"] is { Length: > 0 } domain ? domain : options.Domain;
        options.TestDomain = configuration["Mesh:Dns:TestDomain"] is { Length: > 0 } testDomain ? testDomain : options.TestDomain;
        options.ApiUrl = configuration["Mesh:Api:Url"];

        services.AddOptions<GatewayOptions>().Configure(o => configuration.GetSection(GatewayOptions.Section).Bind(o)).ValidateSelfOnStart();
        services.AddSingleton(options);
        services.TryAddSingleton<GatewayEndpoints>();
        services.AddSingleton(sp => new GatewayMetrics(sp.GetService<CollectorRegistry>() ?? Metrics.NewCustomRegistry()));
        services.AddSingleton<RouteTableFeed>(sp =>
        {
            // Resolving the options runs the validator first, so a bad configuration never routes.
            _ = sp.GetRequiredService<IOptions<GatewayOptions>>().Value;
            return new RouteTableFeed(sp.GetRequiredService<RegistryFeed>(), options, sp.GetRequiredService<GatewayMetrics>(),
                sp.GetRequiredService<ILogger<RouteTableFeed>>());
        });
        services.AddSingleton(sp => new GatewayStatus(sp.GetRequiredService<RouteTableFeed>(), sp.GetRequiredService<GatewayEndpoints>()));
        services.AddHostedService(sp => sp.GetRequiredService<RouteTableFeed>());
        services.AddHostedService(sp =>
        {
            var metrics = sp.GetRequiredService<GatewayMetrics>();
            var feed = sp.GetRequiredService<RouteTableFeed>();
            metrics.Registry.AddBeforeCollectCallback(() => DestinationGauges.Update(metrics, feed));
            return new GatewayServer(options, feed, metrics, sp.GetRequiredService<GatewayEndpoints>(), sp.GetRequiredService<ILoggerFactory>());
        });
        return services;
    }
}
