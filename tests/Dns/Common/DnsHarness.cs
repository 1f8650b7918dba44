using System.Collections.Immutable;
using System.Net;
using DnsClient;
using Mesh.Dns.Serving;
using Mesh.Projections.Feed;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Mesh.Dns.Tests.Common;

/// <summary>
/// The real DNS server (AddMeshDns: its UDP and TCP listeners, zone feed, views, rate limiter) on 127.0.0.1 port 0,
/// fed by a <see cref="RegistryFeed"/> that the test publishes states to: registering an instance here is folding an
/// <see cref="InstanceRegistered"/> into the state, exactly what the projection does with the store's events.
/// Settings are <c>Mesh:Dns:*</c> keys (without the prefix), as in configuration.
/// </summary>
internal sealed class DnsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hosted;
    private RegistryState _state = RegistryState.Empty;

    private DnsHarness(ServiceProvider services)
    {
        _services = services;
        _hosted = [.. services.GetServices<IHostedService>()];
    }

    public RegistryFeed Feed => _services.GetRequiredService<RegistryFeed>();

    public DnsEndpoints Endpoints => _services.GetRequiredService<DnsEndpoints>();

    public CollectorRegistry Metrics => _services.GetRequiredService<CollectorRegistry>();

    /// <summary>The main listener (UDP and TCP share the port).</summary>
    public IPEndPoint EndPoint => Endpoints.Main ?? throw new InvalidOperationException("the DNS server is not listening");

    internal DnsZoneFeed Zones => _services.GetRequiredService<DnsZoneFeed>();

    /// <param name="settings"><c>Mesh:Dns:</c> keys without the prefix, e.g. <c>["Ttl"] = "0"</c>.</param>
    public static async Task<DnsHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Mesh:Dns:Port"] = "0",
            ["Mesh:Dns:UdpWorkers"] = "2",
            ["Mesh:Gateway:Url"] = "http://127.0.0.1:8080",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[$"Mesh:Dns:{key}"] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<RegistryFeed>();
        services.AddSingleton(Prometheus.Metrics.NewCustomRegistry());
        services.AddMeshDns(configuration);
        var harness = new DnsHarness(services.BuildServiceProvider(validateScopes: true));
        try
        {
            foreach (var hosted in harness._hosted) await hosted.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
        return harness;
    }

    /// <summary>A DnsClient.NET resolver asking this server (no cache, no retries, UDP with TCP fallback on truncation).</summary>
    public LookupClient Client(Action<LookupClientOptions>? configure = null)
    {
        var options = new LookupClientOptions(new NameServer(EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(5),
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
        };
        configure?.Invoke(options);
        return new LookupClient(options);
    }

    /// <summary>Folds <paramref name="e"/> into the registry, publishes it, and returns once the DNS answers from it.</summary>
    public async Task ApplyAsync(IEvent e)
    {
        var position = _state.Position + 1;
        var stream = e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x");
        _state = RegistryProjection.Apply(_state, new RecordedEvent(position, stream, 0, EventTypes.NameOf(e), e, EventMetadata.Empty, DateTimeOffset.UtcNow));
        Feed.Publish(_state);
        await Poll.UntilAsync(() => Task.FromResult(Zones.Current.Position >= position), $"the DNS at position {position}",
            TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    /// <summary>Registers an instance (passing unless it has failing checks folded in later).</summary>
    public Task RegisterAsync(string instanceId, string service, string address, int port = 80, string env = "integration", string node = "node-1", params string[] tags) =>
        ApplyAsync(new InstanceRegistered(instanceId, service, env, address, port, [.. tags], ImmutableSortedDictionary<string, string>.Empty,
            [], null, "api", node, []));

    public Task DeregisterAsync(string instanceId) => ApplyAsync(new InstanceDeregistered(instanceId, "api"));

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _hosted.Reverse()) await hosted.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
