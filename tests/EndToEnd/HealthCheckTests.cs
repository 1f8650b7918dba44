using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>An HTTP check decides whether an instance gets traffic (<c>?passing</c>), and follows the target up and down.</summary>
public sealed class HealthCheckTests
{
    private const string Service = "checked";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpCheck_TargetDownThenUpThenDown_PassingLeavesItOutThenListsItThenLeavesItOut()
    {
        var targetPort = FreePort.Next();
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        using var put = await mesh.Client.RegisterAsync(new JsonObject
        {
            ["ID"] = "checked-1",
            ["Name"] = Service,
            ["Address"] = "127.0.0.1",
            ["Port"] = targetPort,
            ["Check"] = new JsonObject
            {
                ["HTTP"] = $"http://127.0.0.1:{targetPort}/health",
                ["Interval"] = "1s",
                ["Timeout"] = "1s",
            },
        }, Ct);
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"register answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync(Ct)}{mesh.Describe()}");

        // Nothing listens: registered, but critical, so ?passing leaves it out.
        await WaitForAsync(mesh, passing: false, count: 1, "the instance to be registered");
        await WaitForAsync(mesh, passing: true, count: 0, "?passing to leave out the instance whose target is down");
        var all = await mesh.Client.HealthServiceAsync(Service, passing: false, Ct);
        Assert.Contains(all.Single()!["Checks"]!.AsArray(), c => (string?)c!["Status"] == "critical");

        await using (await StartTargetAsync(targetPort))
            await WaitForAsync(mesh, passing: true, count: 1, "?passing to list the instance once its target answers 200");

        await WaitForAsync(mesh, passing: true, count: 0, "?passing to leave out the instance once its target is gone");
    }

    private static Task WaitForAsync(MeshProcess mesh, bool passing, int count, string what) =>
        Eventually.WaitAsync(
            () => mesh.Client.HealthServiceAsync(Service, passing, Ct),
            entries => entries.Count == count,
            Patience, what, Ct, mesh.Describe);

    /// <summary>A real HTTP server on <paramref name="port"/> answering 200 on /health.</summary>
    private static async Task<WebApplication> StartTargetAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var target = builder.Build();
        target.MapGet("/health", () => "ok");
        await target.StartAsync(Ct);
        return target;
    }
}
