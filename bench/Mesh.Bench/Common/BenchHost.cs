using Mesh.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Common;

/// <summary>The real Mesh application on a loopback port with a throw-away data directory, and a client for it.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly string _dataDir;

    private BenchHost(WebApplication app, HttpClient http, string dataDir)
    {
        App = app;
        Http = http;
        _dataDir = dataDir;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Starts Mesh with warnings-only logging; <paramref name="settings"/> are extra command-line settings (<c>--Key value</c> pairs).</summary>
    public static async Task<BenchHost> StartAsync(params string[] settings)
    {
        var dataDir = Directory.CreateTempSubdirectory("mesh-bench-").FullName;
        var app = MeshApp.Build(
            ["--Mesh:DataDir", dataDir, "--Mesh:Api:Url", "http://127.0.0.1:0", "--Mesh:Gateway:Url", "http://127.0.0.1:0", "--Mesh:Dns:Port", "0", "--Logging:LogLevel:Default", "Warning", .. settings]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchHost(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) }, dataDir);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
