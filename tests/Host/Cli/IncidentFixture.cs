using Mesh.Host.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary>
/// A running Mesh (snapshots archived every 3 events, so states come from snapshots plus events) that went through a
/// scripted incident: register web-1, web-2 (TTL check) and db-1; web-2 fails; web-1 deregisters and comes back on
/// another port; db-1 deregisters; web-2 passes again. <see cref="Positions"/> holds the head after each step.
/// Tests only read it, through the API (<see cref="Api"/>) and its data directory (<see cref="Data"/>) while it runs.
/// </summary>
public sealed class IncidentFixture : IAsyncLifetime
{
    private MeshHost? _mesh;

    internal MeshHost Mesh => _mesh ?? throw new InvalidOperationException("Not started.");

    public string Api => Mesh.Http.BaseAddress!.ToString();

    public string Data => DataDirOf(Mesh);

    public List<long> Positions { get; } = [];

    /// <summary>Mesh:DataDir of a running Mesh: its mesh.db and snapshots.</summary>
    internal static string DataDirOf(MeshHost mesh) =>
        mesh.App.Services.GetRequiredService<IConfiguration>()["Mesh:DataDir"] ?? throw new InvalidOperationException("No Mesh:DataDir.");

    public long Registered => Positions[2];

    public long Degraded => Positions[3];

    public long End => Positions[^1];

    public async ValueTask InitializeAsync()
    {
        _mesh = await MeshHost.StartAsync(extra: new Dictionary<string, string?> { ["Mesh:Projections:SnapshotEvery"] = "3" });
        await StepAsync(() => Mesh.RegisterAsync("""{"ID":"web-1","Name":"web","Address":"10.0.0.1","Port":80,"Tags":["v1"]}"""));
        await StepAsync(() => Mesh.RegisterAsync("""{"ID":"web-2","Name":"web","Address":"10.0.0.2","Port":80,"Check":{"CheckID":"web-2-ttl","TTL":"1h","Status":"passing"}}"""));
        await StepAsync(() => Mesh.RegisterAsync("""{"ID":"db-1","Name":"db","Address":"10.0.1.1","Port":5432}"""));
        await StepAsync(() => Mesh.PutOkAsync("/v1/agent/check/fail/web-2-ttl"));
        await StepAsync(() => Mesh.PutOkAsync("/v1/agent/service/deregister/web-1"));
        await StepAsync(() => Mesh.RegisterAsync("""{"ID":"web-1","Name":"web","Address":"10.0.0.1","Port":8080,"Tags":["v1"]}"""));
        await StepAsync(() => Mesh.PutOkAsync("/v1/agent/service/deregister/db-1"));
        await StepAsync(() => Mesh.PutOkAsync("/v1/agent/check/pass/web-2-ttl"));
    }

    private async Task StepAsync(Func<Task> step)
    {
        await step();
        var head = await Mesh.StoreHeadAsync();
        await Mesh.Feed.WaitForNewerAsync(head - 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Positions.Add(head);
    }

    public async ValueTask DisposeAsync()
    {
        if (_mesh is not null) await _mesh.DisposeAsync();
    }
}
