using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The forensics verbs of the real <c>mesh</c> binary, run as an operator would (<c>dotnet mesh.dll at … --json</c>)
/// against a running Mesh process: through its API, and on its data directory while it runs.
/// </summary>
public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task At_diff_and_verify_answer_the_same_through_the_api_and_on_the_data_directory_of_a_running_mesh()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        using (var put = await mesh.Client.RegisterAsync("""{"ID":"cli-1","Name":"cli","Address":"10.0.9.1","Port":80}""", Ct))
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"register answered {(int)put.StatusCode}{mesh.Describe()}");
        using (var put = await mesh.Client.RegisterAsync("""{"ID":"cli-2","Name":"cli","Address":"10.0.9.2","Port":80}""", Ct))
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"register answered {(int)put.StatusCode}{mesh.Describe()}");
        var api = mesh.BaseAddress.ToString();

        // A relative time is accepted by both targets.
        var recent = await MeshCliAsync("at", "-1m", "--api", api, "--json");
        var recentData = await MeshCliAsync("at", "-1m", "--data", dir.Path, "--json");
        Assert.Equal("-1m", (string?)JsonNode.Parse(recent.Out)!["At"]!["Requested"]);
        Assert.Equal("-1m", (string?)JsonNode.Parse(recentData.Out)!["At"]!["Requested"]);

        // The registry at the head, and the diff from the first registration, answer alike from both.
        var head = (long)JsonNode.Parse((await MeshCliAsync("at", "--api", api, "--json")).Out)!["At"]!["Position"]!;
        var at = head.ToString(CultureInfo.InvariantCulture);
        var viaApi = await MeshCliAsync("at", at, "--api", api, "--json");
        var viaData = await MeshCliAsync("at", at, "--data", dir.Path, "--json");
        Assert.Equal(viaApi.Out, viaData.Out);
        Assert.Equal(["api:cli-1", "api:cli-2"], JsonNode.Parse(viaApi.Out)!["Instances"]!.AsArray().Select(i => (string?)i!["InstanceId"]));
        var diffApi = await MeshCliAsync("diff", "1", at, "--api", api, "--json");
        var diffData = await MeshCliAsync("diff", "1", at, "--data", dir.Path, "--json");
        Assert.Equal(diffApi.Out, diffData.Out);
        Assert.Equal(["api:cli-2"], JsonNode.Parse(diffApi.Out)!["Diff"]!["Added"]!.AsArray().Select(i => (string?)i!["InstanceId"]));

        // Rebuilt from zero, the registry is what Mesh serves; reading the directory took nothing from Mesh.
        var verify = await MeshCliAsync("verify", "--data", dir.Path);
        Assert.Contains("OK:", verify.Out, StringComparison.Ordinal);
        Assert.False(mesh.HasExited, $"mesh exited while the CLI read its data directory{mesh.Describe()}");
        Assert.Equal(2, (await mesh.Client.HealthServiceAsync("cli", passing: true, Ct)).Count);
    }

    [Fact]
    public async Task An_unreachable_api_exits_2_with_a_message_on_stderr()
    {
        var result = await MeshCliAsync(expect: 2, "at", "--api", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Contains("Cannot reach Mesh at", result.Err, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    private static Task<(string Out, string Err)> MeshCliAsync(params string[] args) => MeshCliAsync(0, args);

    /// <summary>Runs <c>dotnet mesh.dll args</c> to its end and asserts its exit code.</summary>
    private static async Task<(string Out, string Err)> MeshCliAsync(int expect, params string[] args)
    {
        var meshDll = Path.Combine(AppContext.BaseDirectory, "mesh.dll");
        var info = new ProcessStartInfo(DotnetHost(), [meshDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mesh {string.Join(' ', args)} did not exit within 60 s");
        }
        var (output, error) = (await stdout, await stderr);
        Assert.True(process.ExitCode == expect, $"mesh {string.Join(' ', args)} exited {process.ExitCode}, expected {expect}{Environment.NewLine}{output}{error}");
        return (output, error);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
