using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Host.Tests.Observability;

/// <summary>The real <see cref="MeshApp"/> on a free loopback port, with its own data directory.</summary>
internal sealed class InProcessMesh : IAsyncDisposable
{
    private readonly string _dataDir;

    private InProcessMesh(WebApplication app, string dataDir, HttpClient client)
    {
        App = app;
        _dataDir = dataDir;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<InProcessMesh> StartAsync(CancellationToken ct)
    {
        var dataDir = Directory.CreateTempSubdirectory("mesh-host-test-").FullName;
        var app = MeshApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:DataDir"] = dataDir,
            ["Mesh:Api:Url"] = "http://127.0.0.1:0",
        }));
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new InProcessMesh(app, dataDir, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
