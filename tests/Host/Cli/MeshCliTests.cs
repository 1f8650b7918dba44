using System.Net;
using System.Net.Sockets;
using Mesh.Host.Cli;
using Mesh.Host.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary>Choosing the target and failing clearly: exit 2 with a message on stderr that names what is wrong.</summary>
public sealed class MeshCliTests
{
    [Fact]
    public async Task An_unreachable_api_exits_2_saying_mesh_cannot_be_reached_there()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";

        foreach (var verb in new[] { "at", "verify", "events" })
        {
            var result = await Cli.RunAsync(verb, "--api", url);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"Cannot reach Mesh at {url}", result.Err, StringComparison.Ordinal);
            Assert.Contains("--data <dir>", result.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_data_directory_without_a_store_exits_2_and_creates_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("mesh-cli-empty-").FullName;
        try
        {
            var empty = await Cli.RunAsync("at", "--data", dir);
            var missing = await Cli.RunAsync("at", "--data", Path.Combine(dir, "nope"));

            Assert.True(empty.ExitCode == 2, empty.ToString());
            Assert.Contains("holds no Mesh event store (no mesh.db)", empty.Err, StringComparison.Ordinal);
            Assert.True(missing.ExitCode == 2, missing.ToString());
            Assert.Contains("does not exist", missing.Err, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("at --api http://127.0.0.1:1 --data /tmp", "either --api <url> or --data <dir>, not both")]
    [InlineData("at --api ftp://example", "--api: 'ftp://example' is not an http:// or https:// URL")]
    [InlineData("events --limit 0 --data /tmp", "--limit: give a number from 1 to 100000")]
    [InlineData("diff", "Required argument missing")]
    [InlineData("at 1 2", "Unrecognized command or argument '2'")]
    [InlineData("tiemline web", "'tiemline' is not a mesh verb")]
    public async Task Bad_usage_exits_2_with_the_reason(string args, string message)
    {
        var result = await Cli.RunAsync(args.Split(' '));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_verbs_and_exits_0()
    {
        var root = await Cli.OkAsync("--help");
        var at = await Cli.OkAsync("at", "--help");

        Assert.All(new[] { "run", "at", "diff", "timeline", "events", "verify" }, verb => Assert.Contains($"  {verb} ", root.Out, StringComparison.Ordinal));
        Assert.Contains("--api <url>", at.Out, StringComparison.Ordinal);
        Assert.Contains("--data <dir>", at.Out, StringComparison.Ordinal);
        Assert.Contains("-15m", at.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_api_token_set_the_cli_sends_token_and_without_it_exits_2_saying_it_was_refused()
    {
        await using var mesh = await MeshHost.StartAsync(token: "s3cret");
        await mesh.RegisterWithTokenAsync("""{"ID":"tok-1","Name":"tok","Address":"10.0.6.1","Port":80}""", "s3cret");
        var url = mesh.Http.BaseAddress!.ToString();

        var refused = await Cli.RunAsync("at", "--api", url);
        var wrong = await Cli.RunAsync("at", "--api", url, "--token", "guess");
        var allowed = await Cli.OkAsync("at", "--api", url, "--token", "s3cret", "--json");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("refused the request (403)", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--token", refused.Err, StringComparison.Ordinal);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains(allowed.Json()["Instances"]!.AsArray(), i => (string?)i!["InstanceId"] == "api:tok-1");
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:8500")]
    [InlineData("http://127.0.0.1:9500", "http://127.0.0.1:9500")]
    [InlineData("http://0.0.0.0:8500", "http://127.0.0.1:8500")]
    [InlineData("http://*:8500;http://10.1.2.3:8501", "http://127.0.0.1:8500")]
    [InlineData("http://+:8500", "http://127.0.0.1:8500")]
    [InlineData("http://[::]:8500", "http://[::1]:8500")]
    public void The_default_api_url_is_where_a_client_reaches_mesh_api_url(string? listen, string client) =>
        Assert.Equal(client, CliConfiguration.ClientUrl(listen));

    // A port nothing listens on: bound by the OS, then let go.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

internal static class TokenRegistration
{
    public static async Task RegisterWithTokenAsync(this MeshHost mesh, string body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/agent/service/register") { Content = new StringContent(body) };
        request.Headers.Add("X-Mesh-Token", token);
        using var response = await mesh.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"register answered {(int)response.StatusCode}");
    }
}
