using System.Globalization;
using System.Text.Json.Nodes;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary>
/// <c>mesh at</c>, <c>diff</c>, <c>timeline</c> and <c>events</c> against a running Mesh (<c>--api</c>) and against its data
/// directory while it runs (<c>--data</c>): the same answers, in the API's JSON with <c>--json</c> and as tables otherwise.
/// </summary>
public sealed class ForensicsVerbsTests(IncidentFixture incident) : IClassFixture<IncidentFixture>
{
    private string[] Api => ["--api", incident.Api];

    private string[] Data => ["--data", incident.Data];

    [Fact]
    public async Task At_every_point_answers_the_same_json_from_the_api_and_from_the_data_directory_as_the_http_api()
    {
        foreach (var position in incident.Positions.Prepend(0))
        {
            var at = position.ToString(CultureInfo.InvariantCulture);
            var api = await Cli.OkAsync(["at", at, "--json", .. Api]);
            var data = await Cli.OkAsync(["at", at, "--json", .. Data]);
            var http = JsonNode.Parse(await incident.Mesh.Http.GetStringAsync($"/v1/mesh/state?at={at}", TestContext.Current.CancellationToken));

            Assert.Equal(api.Out, data.Out);
            Assert.True(JsonNode.DeepEquals(http, api.Json()), $"at {at}: the CLI printed {api.Out}, the API answers {http}");
            Assert.Equal(position, (long)api.Json()["At"]!["Position"]!);
        }
    }

    [Fact]
    public async Task At_the_degradation_shows_web_2_critical_in_json_and_in_the_table()
    {
        var at = incident.Degraded.ToString(CultureInfo.InvariantCulture);
        var json = (await Cli.OkAsync(["at", at, "--json", .. Data])).Json();
        var table = (await Cli.OkAsync(["at", at, .. Api])).Out;

        var web2 = Assert.Single(json["Instances"]!.AsArray(), i => (string?)i!["InstanceId"] == "api:web-2")!;
        Assert.Equal("critical", (string?)web2["Status"]);
        Assert.Contains($"Registry at position {incident.Degraded} ", table, StringComparison.Ordinal);
        var row = Assert.Single(table.Split('\n'), l => l.Contains("api:web-2", StringComparison.Ordinal));
        Assert.Equal(["api:web-2", "web", "integration", "10.0.0.2:80", "critical"], Cells(row).Where(c => c != "").Take(5));
    }

    [Fact]
    public async Task Diff_answers_the_same_from_both_targets_and_names_what_changed()
    {
        string[] args = ["diff", incident.Degraded.ToString(CultureInfo.InvariantCulture), incident.End.ToString(CultureInfo.InvariantCulture)];
        var api = await Cli.OkAsync([.. args, "--json", .. Api]);
        var data = await Cli.OkAsync([.. args, "--json", .. Data]);
        var table = (await Cli.OkAsync([.. args, .. Data])).Out;

        Assert.Equal(api.Out, data.Out);
        var diff = api.Json()["Diff"]!;
        Assert.Equal(["api:db-1"], diff["Removed"]!.AsArray().Select(i => (string?)i!["InstanceId"]));
        Assert.Empty(diff["Added"]!.AsArray());
        var moved = Assert.Single(diff["Changed"]!.AsArray())!;
        Assert.Equal(("api:web-1", "port"), ((string?)moved["InstanceId"], (string?)Assert.Single(moved["Fields"]!.AsArray())));
        Assert.Contains(table.Split('\n'), l => l.Contains("health", StringComparison.Ordinal) && l.Contains("api:web-2", StringComparison.Ordinal) && l.Contains("critical → passing", StringComparison.Ordinal));
        Assert.Contains(table.Split('\n'), l => l.Contains("changed", StringComparison.Ordinal) && l.Contains("api:web-1", StringComparison.Ordinal) && l.Contains("port: 80 → 8080", StringComparison.Ordinal));
        Assert.Contains(table.Split('\n'), l => l.Contains("removed", StringComparison.Ordinal) && l.Contains("api:db-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timeline_answers_the_same_from_both_targets_for_an_instance_and_a_service()
    {
        foreach (var name in new[] { "api:web-2", "web", "db" })
        {
            var api = await Cli.OkAsync(["timeline", name, "--json", .. Api]);
            var data = await Cli.OkAsync(["timeline", name, "--json", .. Data]);
            Assert.Equal(api.Out, data.Out);
        }

        var web2 = (await Cli.OkAsync(["timeline", "api:web-2", "--json", .. Data])).Json();
        Assert.Equal([incident.Positions[1], incident.Degraded, incident.End], web2["Entries"]!.AsArray().Select(e => (long)e!["Position"]!));
        var table = (await Cli.OkAsync(["timeline", "api:web-2", .. Api])).Out;
        Assert.Contains(table.Split('\n'), l => l.TrimStart().StartsWith(incident.Degraded.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal)
            && l.Contains("check web-2-ttl → critical", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timeline_of_a_name_the_log_never_mentions_exits_1_saying_so_from_both_targets()
    {
        foreach (var target in new[] { Api, Data })
        {
            var result = await Cli.RunAsync(["timeline", "nothing-like-it", .. target]);

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("no service or instance 'nothing-like-it'", result.Err, StringComparison.Ordinal);
            Assert.Equal("", result.Out);
        }
    }

    [Fact]
    public async Task Events_answer_the_same_from_both_targets_with_filters()
    {
        string[][] queries =
        [
            ["events"],
            ["events", "--service", "web"],
            ["events", "--type", "InstanceRegistered,InstanceDeregistered"],
            ["events", "--since", incident.Degraded.ToString(CultureInfo.InvariantCulture), "--limit", "2"],
        ];
        foreach (var query in queries)
        {
            var api = await Cli.OkAsync([.. query, "--json", .. Api]);
            var data = await Cli.OkAsync([.. query, "--json", .. Data]);
            Assert.Equal(api.Out, data.Out);
        }

        var since = (await Cli.OkAsync(["events", "--since", incident.Degraded.ToString(CultureInfo.InvariantCulture), "--limit", "2", "--json", .. Data])).Json();
        Assert.Equal([incident.Degraded + 1, incident.Degraded + 2], since.AsArray().Select(e => (long)e!["Position"]!));
        var ofDb = (await Cli.OkAsync(["events", "--service", "db", .. Api])).Out;
        Assert.Contains(ofDb.Split('\n'), l => l.Contains("InstanceRegistered", StringComparison.Ordinal) && l.Contains("api:db-1", StringComparison.Ordinal));
        Assert.Contains(ofDb.Split('\n'), l => l.Contains("InstanceDeregistered", StringComparison.Ordinal) && l.Contains("api:db-1", StringComparison.Ordinal));
        Assert.DoesNotContain("api:web-", ofDb, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_iso_and_relative_name_the_same_points_on_both_targets()
    {
        // A time far ahead is the head, a relative time long ago is before the first event; an offset survives the URL.
        foreach (var (time, position) in new[] { ("2999-01-01T00:00:00Z", incident.End), ("2999-01-01T01:00:00+01:00", incident.End), ("-3650d", 0L), ("-1h30m", -1L) })
        {
            var api = await Cli.OkAsync(["at", time, "--json", .. Api]);
            var data = await Cli.OkAsync(["at", time, "--json", .. Data]);
            Assert.Equal(time, (string?)api.Json()["At"]!["Requested"]);
            Assert.Equal((long)api.Json()["At"]!["Position"]!, (long)data.Json()["At"]!["Position"]!);
            if (position >= 0) Assert.Equal(position, (long)api.Json()["At"]!["Position"]!);
        }

        // The time an event was recorded names that event (the last one recorded by then).
        var recorded = (string)(await Cli.OkAsync(["at", incident.Degraded.ToString(CultureInfo.InvariantCulture), "--json", .. Data])).Json()["At"]!["RecordedAt"]!;
        var byTime = await Cli.OkAsync(["at", recorded, "--json", .. Data]);
        Assert.Equal(incident.Degraded, (long)byTime.Json()["At"]!["Position"]!);
    }

    [Theory]
    [InlineData("at", "yesterday", "at: 'yesterday' is not a position (1234), an ISO-8601 time")]
    [InlineData("diff", "12.5", "from: '12.5' is not a position")]
    [InlineData("diff", "1 -5x", "to: '-5x' is not a position")]
    [InlineData("timeline", "web --to soon", "to: 'soon' is not a position")]
    [InlineData("events", "--since later", "since: 'later' is not a position")]
    public async Task A_bad_time_exits_2_saying_what_is_wrong_before_asking_either_target(string verb, string args, string message)
    {
        foreach (var target in new[] { Api, Data })
        {
            var result = await Cli.RunAsync([verb, .. args.Split(' '), .. target]);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(message, result.Err, StringComparison.Ordinal);
            Assert.Equal("", result.Out);
        }
    }

    private static string[] Cells(string row) => row.Split("  ", StringSplitOptions.TrimEntries);
}
