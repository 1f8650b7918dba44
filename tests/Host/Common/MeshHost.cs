using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Projections.Feed;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mesh.Host.Tests.Common;

/// <summary>
/// The real Mesh application (MeshApp.Build), on 127.0.0.1 port 0 with its store in a fresh temp directory, and an
/// HttpClient pointed at it. Every in-process test of the host starts Mesh through this.
/// </summary>
internal sealed class MeshHost : IAsyncDisposable
{
    private readonly string _dataDir;

    private MeshHost(WebApplication app, HttpClient http, string dataDir)
    {
        App = app;
        Http = http;
        _dataDir = dataDir;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public RegistryFeed Feed => App.Services.GetRequiredService<RegistryFeed>();

    /// <param name="token">Mesh:Api:Token.</param>
    /// <param name="extra">More settings (a source to run, ...).</param>
    public static async Task<MeshHost> StartAsync(string? token = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "mesh-host-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:DataDir"] = dataDir,
            ["Mesh:Api:Url"] = "http://127.0.0.1:0",
            ["Mesh:Gateway:Url"] = "http://127.0.0.1:0",
            ["Mesh:Dns:Port"] = "0",
            ["Mesh:Api:NodeName"] = "test-node",
            ["Mesh:Api:Token"] = token,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var app = MeshApp.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync(TestContext.Current.CancellationToken);
        // Kestrel resolved port 0 when it bound; the addresses feature has the real port.
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        return new MeshHost(app, http, dataDir);
    }

    public Task<long> StoreHeadAsync() =>
        App.Services.GetRequiredService<IEventStore>().ReadHeadPositionAsync(TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PutAsync(string path, string? body = null) =>
        Http.PutAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    /// <summary>Registers and asserts Consul's answer (200, empty body).</summary>
    public async Task RegisterAsync(string body)
    {
        using var response = await PutAsync("/v1/agent/service/register", body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"register answered {(int)response.StatusCode}: {text}");
    }

    public async Task PutOkAsync(string path, string? body = null)
    {
        using var response = await PutAsync(path, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} answered {(int)response.StatusCode}: {text}");
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var (json, _) = await GetWithIndexAsync(path);
        return json;
    }

    /// <summary>The JSON body and the X-Consul-Index of a successful read.</summary>
    public async Task<(JsonElement Json, long Index)> GetWithIndexAsync(string path)
    {
        using var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        return await ReadWithIndexAsync(response);
    }

    public static async Task<(JsonElement Json, long Index)> ReadWithIndexAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        var index = response.Headers.TryGetValues("X-Consul-Index", out var values) ? long.Parse(values.Single()) : 0;
        return (JsonDocument.Parse(text).RootElement.Clone(), index);
    }

    public async Task<JsonElement> GetFromJsonAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    /// <summary>An instance as the Docker source would report it, sent straight to the registry.</summary>
    public async Task SeeDockerInstanceAsync(string instanceId, string service, string[]? tags = null)
    {
        var registry = App.Services.GetRequiredService<IObservationHandler>();
        var result = await registry.HandleAsync(
            new InstanceSeen(instanceId, "docker", service, "integration", "172.17.0.5", 8080, [.. tags ?? []],
                ImmutableSortedDictionary<string, string>.Empty, [], null, "docker-host-1", []),
            TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
        await Feed.WaitForNewerAsync(result.Position - 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(Feed.Current.Instances.ContainsKey(instanceId));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>One Mesh per test class (no token); tests in the class use their own service names.</summary>
public sealed class MeshHostFixture : IAsyncLifetime
{
    private MeshHost? _host;

    internal MeshHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() => _host = await MeshHost.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
