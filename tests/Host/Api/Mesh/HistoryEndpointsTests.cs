using System.Net;
using System.Text.Json;
using Mesh.Host.Tests.Common;
using Xunit;

namespace Mesh.Host.Tests.Api.Mesh;

/// <summary>
/// A scripted incident (register, degrade, deregister, re-register across services) through the Consul API, then
/// replayed through the forensics endpoints: the state at each chosen point is exactly what the registry answered
/// then, and the diff, timeline, route and DNS answers agree with it.
/// </summary>
public sealed class HistoryEndpointsTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MeshHost _mesh = null!;

    public async ValueTask InitializeAsync() =>
        // Snapshots every 3 events, so that states are rebuilt from archived snapshots plus events, not only from zero.
        _mesh = await MeshHost.StartAsync(extra: new Dictionary<string, string?> { ["Mesh:Projections:SnapshotEvery"] = "3" });

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task The_state_at_each_point_of_an_incident_is_what_the_registry_answered_then()
    {
        var seen = new List<(long Position, string Web, string Db)>();
        async Task StepAsync(Func<Task> step)
        {
            await step();
            var head = await _mesh.StoreHeadAsync();
            await _mesh.Feed.WaitForNewerAsync(head - 1, TimeSpan.FromSeconds(10), Ct);
            seen.Add((head, await PassingAsync("web"), await PassingAsync("db")));
        }

        await StepAsync(() => _mesh.RegisterAsync("""{"ID":"web-1","Name":"web","Address":"10.0.0.1","Port":80}"""));
        await StepAsync(() => _mesh.RegisterAsync("""{"ID":"web-2","Name":"web","Address":"10.0.0.2","Port":80,"Check":{"CheckID":"web-2-ttl","TTL":"1h","Status":"passing"}}"""));
        await StepAsync(() => _mesh.RegisterAsync("""{"ID":"db-1","Name":"db","Address":"10.0.1.1","Port":5432}"""));
        await StepAsync(() => _mesh.PutOkAsync("/v1/agent/check/fail/web-2-ttl"));
        await StepAsync(() => _mesh.PutOkAsync("/v1/agent/service/deregister/web-1"));
        await StepAsync(() => _mesh.RegisterAsync("""{"ID":"web-1","Name":"web","Address":"10.0.0.1","Port":8080}"""));
        await StepAsync(() => _mesh.PutOkAsync("/v1/agent/service/deregister/db-1"));
        await StepAsync(() => _mesh.PutOkAsync("/v1/agent/check/pass/web-2-ttl"));

        foreach (var (position, web, db) in seen)
        {
            var state = await _mesh.GetJsonAsync($"/v1/mesh/state?at={position}");
            Assert.Equal(position, state.GetProperty("At").GetProperty("Position").GetInt64());
            Assert.Equal(web, Passing(state, "web"));
            Assert.Equal(db, Passing(state, "db"));
        }

        // The diff from the degradation to the end, and the timeline of web-2, agree with those states.
        var degraded = seen[3].Position;
        var diff = (await _mesh.GetJsonAsync($"/v1/mesh/diff?from={degraded}&to={seen[^1].Position}")).GetProperty("Diff");
        Assert.Equal(["api:db-1"], Ids(diff.GetProperty("Removed")));
        Assert.Empty(Ids(diff.GetProperty("Added")));
        var moved = Assert.Single(diff.GetProperty("Changed").EnumerateArray());
        Assert.Equal(("api:web-1", "port"), (moved.GetProperty("InstanceId").GetString(), Assert.Single(moved.GetProperty("Fields").EnumerateArray()).GetString()));
        var health = Assert.Single(diff.GetProperty("HealthChanged").EnumerateArray());
        Assert.Equal(("api:web-2", "critical", "passing"), (health.GetProperty("InstanceId").GetString(), health.GetProperty("From").GetString(), health.GetProperty("To").GetString()));

        var timeline = await _mesh.GetJsonAsync("/v1/mesh/timeline/api:web-2");
        Assert.Equal(
            [seen[1].Position, seen[3].Position, seen[7].Position],
            timeline.GetProperty("Entries").EnumerateArray().Select(e => e.GetProperty("Position").GetInt64()));
    }

    [Fact]
    public async Task Route_and_dns_at_a_point_answer_as_the_gateway_and_dns_did_then()
    {
        await _mesh.RegisterAsync("""{"ID":"api-1","Name":"api","Address":"10.0.2.1","Port":80}""");
        var before = await _mesh.StoreHeadAsync();
        await _mesh.PutOkAsync("/v1/agent/service/deregister/api-1");
        await _mesh.RegisterAsync("""{"ID":"api-2","Name":"api","Address":"10.0.2.2","Port":81}""");

        var then = await _mesh.GetJsonAsync($"/v1/mesh/route?host=api.mesh&at={before}");
        var now = await _mesh.GetJsonAsync("/v1/mesh/route?host=api.mesh");
        Assert.Equal(["10.0.2.1:80"], Destinations(then));
        Assert.Equal(["10.0.2.2:81"], Destinations(now));

        var dnsThen = (await _mesh.GetJsonAsync($"/v1/mesh/dns?name=api.service.mesh&type=A&at={before}")).GetProperty("Answer");
        Assert.Equal("NOERROR", dnsThen.GetProperty("Code").GetString());
        Assert.Equal(["api.service.mesh. 5 IN A 10.0.2.1"], dnsThen.GetProperty("Answers").EnumerateArray().Select(a => a.GetString()));
        var dnsBefore = (await _mesh.GetJsonAsync("/v1/mesh/dns?name=api.service.mesh&at=0")).GetProperty("Answer");
        Assert.Equal("NXDOMAIN", dnsBefore.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Events_are_filtered_by_service_and_type_and_follow_streams_new_ones()
    {
        await _mesh.RegisterAsync("""{"ID":"ev-1","Name":"ev","Address":"10.0.3.1","Port":80,"Check":{"CheckID":"ev-ttl","TTL":"1h","Status":"passing"}}""");
        await _mesh.RegisterAsync("""{"ID":"other-1","Name":"other","Address":"10.0.3.2","Port":80}""");
        await _mesh.PutOkAsync("/v1/agent/check/fail/ev-ttl");

        var ofEv = await _mesh.GetJsonAsync("/v1/mesh/events?service=ev");
        Assert.Equal(["InstanceRegistered", "InstanceHealthChanged"], ofEv.EnumerateArray().Select(e => e.GetProperty("Type").GetString()));
        var registrations = await _mesh.GetJsonAsync("/v1/mesh/events?type=InstanceRegistered");
        Assert.Equal(["ev", "other"], registrations.EnumerateArray().Select(e => e.GetProperty("Service").GetString()));

        var head = await _mesh.StoreHeadAsync();
        using var follow = await _mesh.Http.GetAsync($"/v1/mesh/events?since={head}&follow=true", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await follow.Content.ReadAsStreamAsync(Ct));
        await _mesh.PutOkAsync("/v1/agent/service/deregister/ev-1");
        var line = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var followed = JsonDocument.Parse(line!).RootElement;
        Assert.Equal(("InstanceDeregistered", "ev", head + 1), (followed.GetProperty("Type").GetString(), followed.GetProperty("Service").GetString(), followed.GetProperty("Position").GetInt64()));
    }

    [Theory]
    [InlineData("/v1/mesh/state?at=yesterday", "at: 'yesterday' is not a position")]
    [InlineData("/v1/mesh/diff", "from is required")]
    [InlineData("/v1/mesh/route", "host is required")]
    [InlineData("/v1/mesh/dns?name=web.service.mesh&type=BOGUS", "is not a DNS name and record type")]
    public async Task Bad_input_gets_a_400_that_says_what_is_wrong(string path, string message)
    {
        using var response = await _mesh.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_relative_and_absolute_name_the_last_event_recorded_by_then()
    {
        await _mesh.RegisterAsync("""{"ID":"t-1","Name":"timed","Address":"10.0.4.1","Port":80}""");
        var head = await _mesh.StoreHeadAsync();
        var recorded = (await _mesh.GetJsonAsync($"/v1/mesh/state?at={head}")).GetProperty("At").GetProperty("RecordedAt").GetDateTimeOffset();

        var atTime = await _mesh.GetJsonAsync($"/v1/mesh/state?at={Uri.EscapeDataString(recorded.ToString("O"))}");
        var longAgo = await _mesh.GetJsonAsync("/v1/mesh/state?at=-3650d");

        Assert.Equal(head, atTime.GetProperty("At").GetProperty("Position").GetInt64());
        Assert.Equal("10.0.4.1:80", Passing(atTime, "timed"));
        Assert.Equal(0, longAgo.GetProperty("At").GetProperty("Position").GetInt64());
    }

    private async Task<string> PassingAsync(string service)
    {
        var answer = await _mesh.GetJsonAsync($"/v1/health/service/{service}?passing");
        return string.Join(",", answer.EnumerateArray()
            .Select(e => $"{e.GetProperty("Service").GetProperty("Address").GetString()}:{e.GetProperty("Service").GetProperty("Port").GetInt32()}")
            .Order(StringComparer.Ordinal));
    }

    private static string Passing(JsonElement state, string service) =>
        string.Join(",", state.GetProperty("Instances").EnumerateArray()
            .Where(i => i.GetProperty("Service").GetString() == service && i.GetProperty("Status").GetString() == "passing")
            .Select(i => $"{i.GetProperty("Address").GetString()}:{i.GetProperty("Port").GetInt32()}")
            .Order(StringComparer.Ordinal));

    private static string[] Ids(JsonElement list) => [.. list.EnumerateArray().Select(i => i.GetProperty("InstanceId").GetString()!)];

    private static string[] Destinations(JsonElement route) =>
        [.. route.GetProperty("Route").GetProperty("Destinations").EnumerateArray().Select(d => $"{d.GetProperty("Address").GetString()}:{d.GetProperty("Port").GetInt32()}")];
}
