using Mesh.Bus.Status;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Bus.Tests.Support;

/// <summary>
/// One Mesh process's bus side, composed as the host composes it: configuration, the registry over a given store
/// (when there is one), <c>AddMeshBus</c> for the role, then the startup validation and the hosted services (the
/// MassTransit bus among them) started. Dispose stops them as the host would.
/// </summary>
internal sealed class BusNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];

    private BusNode(ServiceProvider provider) => _provider = provider;

    public IServiceProvider Services => _provider;

    /// <summary>The process's <see cref="IObservationHandler"/>: the registry, or the agent's or edge's bus client.</summary>
    public IObservationHandler Handler => _provider.GetRequiredService<IObservationHandler>();

    public BusStatus Status => _provider.GetRequiredService<BusStatus>();

    public static async Task<BusNode> StartAsync(
        BusRole role, IReadOnlyDictionary<string, string?> settings, IEventStore? store = null, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new TestOutputLoggerProvider()).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IConfiguration>(configuration);
        if (store is not null)
        {
            services.AddSingleton(store);
            services.AddSingleton<InstanceRegistry>();
            services.AddSingleton<IObservationHandler>(sp => sp.GetRequiredService<InstanceRegistry>());
        }
        configure?.Invoke(services);
        services.AddMeshBus(configuration, role);

        var node = new BusNode(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
        try
        {
            node._provider.GetService<IStartupValidator>()?.Validate();
            foreach (var hosted in node._provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(TestContext.Current.CancellationToken);
                node._started.Add(hosted);
            }
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until MassTransit reports the bus healthy: connected, every receive endpoint consuming.</summary>
    public Task WaitUntilConnectedAsync() => Poll.UntilAsync(
        () => Task.FromResult(Status.Current.Connected), $"the {Status.Role} bus to connect", TimeSpan.FromSeconds(60),
        TestContext.Current.CancellationToken, () => $" Status: {Status.Current}");

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--) await _started[i].StopAsync(CancellationToken.None);
        _started.Clear();
        await _provider.DisposeAsync();
    }
}
