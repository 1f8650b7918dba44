using Mesh.Gateway.Tests.Common;
using Mesh.Registry.Events;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Routing;

/// <summary>
/// The route feed builds a new table only for events that change what routes come from; the others (nginx audit
/// records, source facts) move the table's position on, so requests waiting for the registry's position are not held.
/// </summary>
public sealed class RouteTableFeedTests
{
    [Fact]
    public async Task An_event_that_changes_no_instance_keeps_the_routes_and_their_runtimes_at_the_new_position()
    {
        await using var a = await HttpBackend.StartAsync("a");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-a", "web", a);
        Assert.Equal(200, (await gateway.GetAsync("web.mesh")).Status);
        var before = gateway.Routes.Current;
        var route = before.Routes.Match("web.mesh", "/")!;

        await gateway.ApplyAsync(new NginxConfigApplied("edge", "abc", 1, "/etc/nginx/mesh.conf"));

        var after = gateway.Routes.Current;
        Assert.Equal(2, after.Position);
        Assert.Same(before.Routes, after.Routes);
        Assert.Same(before.RuntimeOf(route), after.RuntimeOf(route)); // passive health and metrics carry on
        var caughtUp = await gateway.Routes.CaughtUpAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(2, caughtUp.Position);
        Assert.Equal(200, (await gateway.GetAsync("web.mesh")).Status);
    }

    [Fact]
    public async Task A_registration_after_such_an_event_gets_a_new_table_that_routes_it()
    {
        await using var a = await HttpBackend.StartAsync("a");
        await using var b = await HttpBackend.StartAsync("b");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("web-a", "web", a);
        await gateway.ApplyAsync(new SourceFactRecorded("marathon", "node-1", "deployment_success", "{}"));
        var kept = gateway.Routes.Current;

        await gateway.RegisterAsync("api-b", "api", b);

        Assert.NotSame(kept.Routes, gateway.Routes.Current.Routes);
        Assert.Equal(3, gateway.Routes.Current.Position);
        var (status, body, _) = await gateway.GetAsync("api.mesh");
        Assert.Equal(200, status);
        Assert.Equal("b", HttpBackend.Parse(body)["backend"]);
    }
}
