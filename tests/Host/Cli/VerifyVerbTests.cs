using System.Globalization;
using Mesh.Host.Tests.Common;
using Mesh.Projections.History;
using Mesh.Projections.Snapshots;
using Mesh.Registry.Store;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary>
/// <c>mesh verify</c> rebuilds the registry from zero and compares: a healthy store passes on both targets; a snapshot
/// archive that says something the log does not is a mismatch that names the instance and the field.
/// </summary>
public sealed class VerifyVerbTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MeshHost _mesh = null!;

    private string[] Api => ["--api", _mesh.Http.BaseAddress!.ToString()];

    private string[] Data => ["--data", IncidentFixture.DataDirOf(_mesh)];

    public async ValueTask InitializeAsync()
    {
        // Archived snapshots at 3 and 6: the state at the head comes from one of them plus the events after.
        _mesh = await MeshHost.StartAsync(extra: new Dictionary<string, string?> { ["Mesh:Projections:SnapshotEvery"] = "3" });
        await _mesh.RegisterAsync("""{"ID":"v-1","Name":"checked","Address":"10.0.5.1","Port":80}""");
        await _mesh.RegisterAsync("""{"ID":"v-2","Name":"checked","Address":"10.0.5.2","Port":80,"Check":{"CheckID":"v-2-ttl","TTL":"1h","Status":"passing"}}""");
        await _mesh.PutOkAsync("/v1/agent/check/warn/v-2-ttl");
        await _mesh.RegisterAsync("""{"ID":"v-3","Name":"other","Address":"10.0.5.3","Port":80}""");
        await _mesh.PutOkAsync("/v1/agent/service/deregister/v-3");
        await _mesh.RegisterAsync("""{"ID":"v-4","Name":"other","Address":"10.0.5.4","Port":80}""");
        await _mesh.RegisterAsync("""{"ID":"v-5","Name":"other","Address":"10.0.5.5","Port":80}""");
        var head = await _mesh.StoreHeadAsync();
        await _mesh.Feed.WaitForNewerAsync(head - 1, TimeSpan.FromSeconds(10), Ct);
    }

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task A_healthy_store_verifies_on_both_targets_while_mesh_runs()
    {
        var api = await Cli.RunAsync(["verify", .. Api]);
        var data = await Cli.RunAsync(["verify", .. Data]);
        var json = await Cli.RunAsync(["verify", "--json", .. Data]);

        Assert.True(api.ExitCode == 0, api.ToString());
        Assert.True(data.ExitCode == 0, data.ToString());
        Assert.Contains("OK: every state compared equals the registry rebuilt from zero.", api.Out, StringComparison.Ordinal);
        Assert.Contains("OK:", data.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("DIFFERS", data.Out, StringComparison.Ordinal);
        var report = json.Json();
        Assert.True((bool)report["Ok"]!);
        Assert.Equal(await _mesh.StoreHeadAsync(), (long)report["Head"]!);
        // The state at the head, and the archived snapshots, were compared.
        Assert.Contains(report["Checks"]!.AsArray(), c => ((string)c!["Against"]!).Contains("archived snapshot", StringComparison.Ordinal));
        Assert.Contains(report["Checks"]!.AsArray(), c => ((string)c!["Against"]!).StartsWith("the state at the head", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tampered_snapshot_archive_is_a_mismatch_naming_the_instance_and_field_on_both_targets()
    {
        // A snapshot that decodes, between two archived ones, saying v-1 listens on another port: history now builds
        // the state at the head from it, and the registry rebuilt from the log disagrees.
        var head = await _mesh.StoreHeadAsync();
        var at = NotArchived(head);
        var truth = await _mesh.App.Services.GetRequiredService<RegistryHistory>().StateAtAsync(at, Ct);
        var v1 = truth.Instances["api:v-1"];
        var forged = truth with { Instances = truth.Instances.SetItem("api:v-1", v1 with { Registration = v1.Registration! with { Port = 9999 } }) };
        await _mesh.App.Services.GetRequiredService<ISnapshotArchive>().SaveSnapshotAsync(at, SnapshotCodec.Encode(forged), Ct);

        var data = await Cli.RunAsync(["verify", .. Data]);
        var api = await Cli.RunAsync(["verify", .. Api]);
        var json = await Cli.RunAsync(["verify", "--json", .. Data]);

        Assert.True(data.ExitCode == 1, data.ToString());
        Assert.Contains($"the archived snapshot at position {at}", data.Out, StringComparison.Ordinal);
        Assert.Contains("instance api:v-1: registration.port: rebuilt 80, archived 9999", data.Out, StringComparison.Ordinal);
        Assert.Contains("instance api:v-1: registration.port: rebuilt 80, history 9999", data.Out, StringComparison.Ordinal);
        Assert.Contains("MISMATCH", data.Out, StringComparison.Ordinal);
        Assert.Contains("verify: the registry rebuilt from zero differs from", data.Err, StringComparison.Ordinal);

        Assert.True(api.ExitCode == 1, api.ToString());
        Assert.Contains("instance api:v-1: Port: rebuilt 80, API 9999", api.Out, StringComparison.Ordinal);

        var report = json.Json();
        Assert.False((bool)report["Ok"]!);
        var failed = report["Checks"]!.AsArray().Where(c => !(bool)c!["Equal"]!).Select(c => (long)c!["Position"]!);
        Assert.Equal([at, head], failed.Order());
        Assert.Equal(1, json.ExitCode);
    }

    [Fact]
    public async Task A_health_status_the_archive_got_wrong_is_named_as_a_status_difference()
    {
        var head = await _mesh.StoreHeadAsync();
        var at = NotArchived(head);
        var truth = await _mesh.App.Services.GetRequiredService<RegistryHistory>().StateAtAsync(at, Ct);
        var v2 = truth.Instances["api:v-2"];
        var check = v2.Checks["v-2-ttl"];
        var forged = truth with
        {
            Instances = truth.Instances.SetItem("api:v-2", v2 with { Checks = v2.Checks.SetItem("v-2-ttl", check with { Status = Registry.Events.HealthStatus.Passing }) }),
        };
        await _mesh.App.Services.GetRequiredService<ISnapshotArchive>().SaveSnapshotAsync(at, SnapshotCodec.Encode(forged), Ct);

        var data = await Cli.RunAsync(["verify", .. Data]);
        var api = await Cli.RunAsync(["verify", .. Api]);

        Assert.True(data.ExitCode == 1, data.ToString());
        Assert.Contains("instance api:v-2: status: rebuilt warning, history passing", data.Out, StringComparison.Ordinal);
        Assert.True(api.ExitCode == 1, api.ToString());
        Assert.Contains("instance api:v-2: Status: rebuilt \"warning\", API \"passing\"", api.Out, StringComparison.Ordinal);
        Assert.Contains(at.ToString(CultureInfo.InvariantCulture), data.Out, StringComparison.Ordinal);
    }

    // A position Mesh does not archive (not a multiple of 3), at or just before the head: the forged snapshot is the
    // nearest one at the head.
    private static long NotArchived(long head) => head % 3 == 0 ? head - 1 : head;
}
