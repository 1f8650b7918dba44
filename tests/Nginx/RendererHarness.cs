using System.Collections.Immutable;
using Mesh.Nginx.Configuration;
using Mesh.Nginx.Model;
using Mesh.Nginx.Rendering;
using Mesh.Projections.Feed;
using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Nginx.Tests;

/// <summary>
/// The real pieces between a registration and nginx: a SQLite store, the registry, the projector and its feed, and
/// one <see cref="NginxRenderer"/> driving a real <see cref="NginxInstance"/>.
/// </summary>
internal sealed class RendererHarness : IAsyncDisposable
{
    public const string Target = "edge";

    private RendererHarness(TempStore store, NginxInstance nginx, RegistryFeed feed, RegistryProjector projector, NginxRenderer renderer, NginxStatus status)
    {
        Store = store;
        Nginx = nginx;
        Feed = feed;
        Projector = projector;
        Renderer = renderer;
        Status = status;
        Registry = new InstanceRegistry(store.Store, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
    }

    public TempStore Store { get; }

    public NginxInstance Nginx { get; }

    public RegistryFeed Feed { get; }

    public RegistryProjector Projector { get; }

    public NginxRenderer Renderer { get; }

    public NginxStatus Status { get; }

    public InstanceRegistry Registry { get; }

    // A fresh connection per request: on reload nginx's old workers close their idle keep-alive connections, and a
    // request sent on one at that moment is reset (an HTTP/1.1 keep-alive race, not a renderer fault).
    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<RendererHarness> StartAsync(Action<NginxTargetOptions>? configure = null)
    {
        var store = TempStore.Create("mesh-nginx-store-");
        var options = new NginxTargetOptions { Services = ["web"], DebounceMs = 50, MaxDelayMs = 500 };
        // nginx needs the included file to start: what the renderer would write for an empty registry.
        var nginx = await NginxInstance.StartAsync(path => NginxTemplate.BuiltIn.Render(
            NginxModel.From(RegistryState.Empty, Target, new NginxTargetOptions { Services = ["web"], OutputPath = path })));

        options.OutputPath = nginx.OutputPath;
        options.ValidateCommand = nginx.ValidateCommand;
        options.ReloadCommand = nginx.ReloadCommand;
        configure?.Invoke(options);

        var feed = new RegistryFeed();
        var snapshots = Options.Create(new SnapshotOptions { Directory = Path.Combine(store.Directory, "snapshots") });
        var projector = new RegistryProjector(store.Store, feed, new SnapshotStore(snapshots), snapshots, NullLogger<RegistryProjector>.Instance);
        await projector.StartAsync(CancellationToken.None);
        var status = new NginxStatus();
        var renderer = new NginxRenderer(Target, options, feed, store.Store, status, TimeProvider.System, NullLogger<NginxRenderer>.Instance);
        await renderer.StartAsync(CancellationToken.None);
        return new RendererHarness(store, nginx, feed, projector, renderer, status);
    }

    public Task<ObservationResult> RegisterAsync(string id, string service, int port, string address = "127.0.0.1", CancellationToken ct = default) =>
        Registry.HandleAsync(new InstanceSeen(id, "api", service, "integration", address, port, [],
            ImmutableSortedDictionary<string, string>.Empty, [], null, "node-1", []), ct);

    public Task<ObservationResult> DeregisterAsync(string id, CancellationToken ct = default) =>
        Registry.HandleAsync(new InstanceGone(id, "api", "test"), ct);

    /// <summary>Waits until the target serves a configuration rendered at or after <paramref name="position"/>.</summary>
    public Task WaitServedAsync(long position) =>
        Wait.UntilAsync(() => Status.Targets.TryGetValue(Target, out var s) && s.Position >= position && s.Hash is not null,
            $"target to serve position {position}");

    /// <summary>
    /// Waits until the renderer has made its first rollout and taken every event in the store, the records of its own
    /// rollouts included: the next registration is then the only change it renders.
    /// </summary>
    public async Task WaitIdleAsync(CancellationToken ct)
    {
        await WaitServedAsync(0); // the first rollout's record is in the store once the status shows it
        var head = await Store.Store.ReadHeadPositionAsync(ct);
        await WaitServedAsync(head);
    }

    /// <summary>
    /// Waits until nginx has no worker of an older generation left: after a reload, old workers finish what they hold
    /// and may still take a new connection meanwhile, answering from the configuration before.
    /// </summary>
    public Task WaitOldWorkersGoneAsync() =>
        Wait.UntilAsync(() => Nginx.Reconfigurations() > 0 && Nginx.WorkerExits() >= Nginx.Reconfigurations(),
            "the old worker generations to exit", Nginx.ErrorLogText);

    public async Task<List<IEvent>> NginxEventsAsync(CancellationToken ct)
    {
        var events = new List<IEvent>();
        await foreach (var e in Store.Store.ReadStreamAsync(StreamName.ForNginx(Target), 0, ct)) events.Add(e.Event);
        return events;
    }

    public async Task<string> GetAsync(CancellationToken ct)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{Nginx.Port}/"), ct);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
    }

    public async ValueTask DisposeAsync()
    {
        await Renderer.StopAsync(CancellationToken.None);
        Renderer.Dispose();
        await Projector.StopAsync(CancellationToken.None);
        await Projector.DisposeAsync();
        Http.Dispose();
        await Nginx.DisposeAsync();
        await Store.DisposeAsync();
    }
}
