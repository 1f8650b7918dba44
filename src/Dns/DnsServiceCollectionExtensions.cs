using Mesh.Dns.Configuration;
using Mesh.Dns.Observability;
using Mesh.Dns.Serving;
using Mesh.Dns.Zones;
using Mesh.Projections.Feed;
using Mesh.Registry.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Mesh.Dns;

public static class DnsServiceCollectionExtensions
{
    /// <summary>
    /// The DNS server on <c>Mesh:Dns:Address</c>/<c>Port</c> (UDP and TCP) and its views' listeners, answering from
    /// the registry feed. Its metrics go to the <see cref="CollectorRegistry"/> in the container (a private one when
    /// there is none). Invalid options fail the start with every problem named by key.
    /// </summary>
    public static IServiceCollection AddMeshDns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new DnsOptions();
        configuration.GetSection(DnsOptions.Section).Bind(options);
        if (!options.Enabled) return services;
        options.GatewayUrl = configuration["Mesh:Gateway:Url"] ?? "http://127.0.0.1:8080";

        services.AddOptions<DnsOptions>().Configure(o => configuration.GetSection(DnsOptions.Section).Bind(o)).ValidateSelfOnStart();
        services.AddSingleton(options);
        services.AddSingleton<DnsEndpoints>();
        services.AddSingleton(sp => new DnsMetrics(sp.GetService<CollectorRegistry>() ?? Metrics.NewCustomRegistry()));
        services.AddSingleton(sp =>
        {
            // Resolving the options runs the validator first, so a bad configuration never answers.
            _ = sp.GetRequiredService<IOptions<DnsOptions>>().Value;
            return DnsViews.Of(options);
        });
        services.AddSingleton(sp =>
        {
            _ = sp.GetRequiredService<IOptions<DnsOptions>>().Value;
            var settings = ZoneSettings.Of(options.Domain, options.TestDomain, options.Ttl, DefaultAddresses.Gateway(options), DefaultAddresses.NameServer(options));
            return new DnsZoneFeed(sp.GetRequiredService<RegistryFeed>(), settings, sp.GetRequiredService<ILogger<DnsZoneFeed>>());
        });
        services.AddSingleton(sp => new RateLimiter(options.RateLimit));
        services.AddSingleton(sp => new UpstreamForwarder(options.UpstreamEndPoints(), options.UpstreamTimeout, sp.GetRequiredService<ILogger<UpstreamForwarder>>()));
        services.AddSingleton(sp => new DnsResponder(sp.GetRequiredService<DnsZoneFeed>(), sp.GetRequiredService<DnsViews>(), options.MaxUdpSize));
        services.AddSingleton(sp => new DnsAnswers(sp.GetRequiredService<DnsZoneFeed>()));
        services.AddSingleton(sp => new DnsStatus(sp.GetRequiredService<DnsZoneFeed>(), sp.GetRequiredService<DnsEndpoints>(), sp.GetRequiredService<DnsViews>()));
        services.AddHostedService(sp => sp.GetRequiredService<DnsZoneFeed>());
        services.AddHostedService(sp => new DnsListeners(options, sp.GetRequiredService<DnsResponder>(), sp.GetRequiredService<DnsViews>(),
            sp.GetRequiredService<RateLimiter>(), sp.GetRequiredService<UpstreamForwarder>(), sp.GetRequiredService<DnsMetrics>(), sp.GetRequiredService<DnsEndpoints>(),
            sp.GetRequiredService<ILogger<DnsListeners>>()));
        return services;
    }
}
