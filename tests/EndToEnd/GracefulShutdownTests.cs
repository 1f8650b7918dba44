using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>SIGTERM (a service manager, <c>docker stop</c>) stops Mesh cleanly, and it comes back as it was.</summary>
public sealed class GracefulShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_ExitsZeroWritesASnapshot_AndARestartServesTheSameRegistrations()
    {
        using var dir = new TempDirectory();
        var ids = Enumerable.Range(0, 10).Select(i => $"graceful-{i}").ToList();
        await using (var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct))
        {
            foreach (var id in ids)
            {
                using var response = await mesh.Client.RegisterAsync(
                    new JsonObject { ["ID"] = id, ["Name"] = "graceful", ["Address"] = "127.0.0.1", ["Port"] = 9000 }, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"register {id} answered {(int)response.StatusCode}{mesh.Describe()}");
            }

            var exitCode = await mesh.StopAsync(TimeSpan.FromSeconds(30));

            Assert.True(exitCode == 0, $"mesh exited with {exitCode} on SIGTERM{mesh.Describe()}");
        }
        var snapshots = Path.Combine(dir.Path, "snapshots");
        Assert.True(Directory.Exists(snapshots) && Directory.EnumerateFiles(snapshots).Any(), $"no snapshot under {snapshots}");

        await using var restarted = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        var present = await restarted.Client.AgentServiceIdsAsync(Ct);

        Assert.Superset(ids.ToHashSet(), present);
        Assert.Subset(ids.ToHashSet(), present);
    }
}
