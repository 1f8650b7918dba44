using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The real `mesh` process configured with an nginx target in environment form (MESH__NGINX__TARGETS__0__...):
/// a registration through the Consul API ends up in the rendered file. Real nginx behaviour (validation, reloads,
/// rejections) is proven in tests/Nginx; here the validate and reload commands are `true`.
/// </summary>
public sealed class NginxTargetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TargetFromEnvironmentVariables_RendersARegisteredServiceIntoItsFile()
    {
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "nginx", "upstreams.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?>
        {
            ["MESH__NGINX__TARGETS__0__OUTPUTPATH"] = output,
            ["MESH__NGINX__TARGETS__0__VALIDATECOMMAND"] = "true",
            ["MESH__NGINX__TARGETS__0__RELOADCOMMAND"] = "true",
            ["MESH__NGINX__TARGETS__0__DEBOUNCEMS"] = "50",
        });
        await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(60), Ct);

        using var put = await mesh.Client.RegisterAsync(
            new JsonObject { ["ID"] = "shop-1", ["Name"] = "shop", ["Address"] = "127.0.0.1", ["Port"] = 9731 }, Ct);
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"register answered {(int)put.StatusCode}{mesh.Describe()}");

        var rendered = await Eventually.WaitAsync(
            () => Task.FromResult(File.Exists(output) ? File.ReadAllText(output) : ""),
            text => text.Contains("127.0.0.1:9731", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the registration in the rendered nginx file", Ct, mesh.Describe);
        Assert.Contains("upstream shop", rendered, StringComparison.Ordinal);
    }
}
