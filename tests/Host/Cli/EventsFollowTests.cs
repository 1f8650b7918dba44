using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Host.Cli;
using Mesh.Host.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary><c>mesh events --follow</c> prints events as Mesh appends them, from the API's stream or by polling a data directory.</summary>
public sealed class EventsFollowTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MeshHost _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _mesh = await MeshHost.StartAsync();
        await _mesh.RegisterAsync("""{"ID":"f-0","Name":"followed","Address":"10.0.7.1","Port":80}""");
    }

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Theory]
    [InlineData("--api")]
    [InlineData("--data")]
    public async Task Follow_prints_each_new_event_as_ndjson_and_ends_with_0_when_cancelled(string target)
    {
        var head = await _mesh.StoreHeadAsync();
        var where = target == "--api" ? _mesh.Http.BaseAddress!.ToString() : IncidentFixture.DataDirOf(_mesh);
        var (output, error) = (new WatchedWriter(), new StringWriter());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = MeshCli.InvokeAsync(
            ["events", "--follow", "--json", "--service", "followed", "--since", head.ToString(CultureInfo.InvariantCulture), target, where],
            output, error, stop.Token);

        await _mesh.RegisterAsync("""{"ID":"other-1","Name":"unrelated","Address":"10.0.7.9","Port":80}""");
        await _mesh.RegisterAsync("""{"ID":"f-1","Name":"followed","Address":"10.0.7.2","Port":80}""");
        await _mesh.PutOkAsync("/v1/agent/service/deregister/f-0");
        await Task.WhenAny(output.WaitForAsync("api:f-0"), run).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        if (run.IsCompleted) Assert.Fail($"follow ended early: exit {await run}{Environment.NewLine}{output.Text}{error}");
        await stop.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(code == 0, $"exit {code}: {error}");
        var events = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([("InstanceRegistered", "api:f-1"), ("InstanceDeregistered", "api:f-0")],
            events.Select(e => ((string)e["Type"]!, (string)e["InstanceId"]!)));
        Assert.All(events, e => Assert.Equal("followed", (string?)e["Service"]));
        Assert.Equal([head + 2, head + 3], events.Select(e => (long)e["Position"]!));
    }

    [Fact]
    public async Task Follow_as_a_table_prints_one_line_per_event_under_a_header()
    {
        var head = await _mesh.StoreHeadAsync();
        var (output, error) = (new WatchedWriter(), new StringWriter());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = MeshCli.InvokeAsync(
            ["events", "-f", "--since", head.ToString(CultureInfo.InvariantCulture), "--data", IncidentFixture.DataDirOf(_mesh)], output, error, stop.Token);

        await _mesh.RegisterAsync("""{"ID":"t-1","Name":"tabled","Address":"10.0.7.3","Port":80}""");
        await Task.WhenAny(output.WaitForAsync("api:t-1"), run).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("POSITION", lines[0], StringComparison.Ordinal);
        var line = Assert.Single(lines[1..]);
        Assert.Equal([(head + 1).ToString(CultureInfo.InvariantCulture), "InstanceRegistered", "api:t-1", "tabled"],
            line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i != 1).Take(4));
    }
}
