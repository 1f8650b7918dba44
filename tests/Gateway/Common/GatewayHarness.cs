using System.Collections.Immutable;
using Mesh.Gateway.Configuration;
using Mesh.Gateway.Observability;
using Mesh.Gateway.Routing;
using Mesh.Projections.Feed;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Mesh.Gateway.Tests.Common;

/// <summary>
/// The real gateway (its Kestrel server, route feed, forwarder) on 127.0.0.1 port 0, fed by a
/// <see cref="RegistryFeed"/> that the test publishes states to: registering an instance here is folding an
/// <see cref="InstanceRegistered"/> into the state, exactly what the projection does with the store's events.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly GatewayServer _server;
    private readonly CancellationTokenSource _stop = new();
    private RegistryState _state = RegistryState.Empty;

    private GatewayHarness(GatewayOptions options, ILoggerFactory loggers)
    {
        Options = options;
        Metrics = new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry());
        Routes = new RouteTableFeed(Feed, options, Metrics, loggers.CreateLogger<RouteTableFeed>());
        Endpoints = new GatewayEndpoints();
        _server = new GatewayServer(options, Routes, Metrics, Endpoints, loggers);
    }

    public RegistryFeed Feed { get; } = new();

    public GatewayOptions Options { get; }

    public GatewayMetrics Metrics { get; }

    public RouteTableFeed Routes { get; }

    public GatewayEndpoints Endpoints { get; }

    public HttpClient Client { get; private set; } = null!;

    public static async Task<GatewayHarness> StartAsync(Action<GatewayOptions>? configure = null, ILoggerFactory? loggers = null)
    {
        var options = new GatewayOptions { Url = "http://127.0.0.1:0" };
        configure?.Invoke(options);
        var harness = new GatewayHarness(options, loggers ?? NullLoggerFactory.Instance);
        await harness.Routes.StartAsync(harness._stop.Token);
        await harness._server.StartAsync(TestContext.Current.CancellationToken);
        harness.Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = harness.Endpoints.Http,
            Timeout = TimeSpan.FromSeconds(30),
        };
        return harness;
    }

    /// <summary>Folds <paramref name="e"/> into the registry, publishes it, and returns once the gateway routes by it.</summary>
    public async Task ApplyAsync(IEvent e)
    {
        var position = _state.Position + 1;
        var stream = e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x");
        _state = RegistryProjection.Apply(_state, new RecordedEvent(position, stream, 0, EventTypes.NameOf(e), e, EventMetadata.Empty, DateTimeOffset.UtcNow));
        Feed.Publish(_state);
        await Poll.UntilAsync(() => Task.FromResult(Routes.Current.Position >= position), $"the gateway at position {position}",
            TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    /// <summary>Registers <paramref name="backend"/> as an instance of <paramref name="service"/> (passing: it has no checks).</summary>
    public Task RegisterAsync(string instanceId, string service, HttpBackend backend, string env = "integration", string? version = null, params RouteSpec[] routes) =>
        ApplyAsync(new InstanceRegistered(instanceId, service, env, "127.0.0.1", backend.Port, [], ImmutableSortedDictionary<string, string>.Empty,
            [.. routes], version, "api", "node-1", []));

    public Task DeregisterAsync(string instanceId) => ApplyAsync(new InstanceDeregistered(instanceId, "api"));

    /// <summary>A request to the gateway for <paramref name="host"/>.</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> GetAsync(string host, string path = "/", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        configure?.Invoke(request);
        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, body, response);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _server.StopAsync(CancellationToken.None);
        await _server.DisposeAsync();
        await _stop.CancelAsync();
        await Routes.StopAsync(CancellationToken.None);
        _stop.Dispose();
    }
}
