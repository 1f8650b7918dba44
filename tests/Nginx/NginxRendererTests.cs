using System.Security.Cryptography;
using Mesh.Registry.Events;

namespace Mesh.Nginx.Tests;

/// <summary>The renderer against a real nginx (Debian's nginx-light) and real Kestrel backends.</summary>
public sealed class NginxRendererTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_ReachEveryRegisteredBackend_AndStopReachingADeregisteredOne()
    {
        await using var mesh = await RendererHarness.StartAsync();
        await using var a = await Backend.StartAsync("backend-a");
        await using var b = await Backend.StartAsync("backend-b");
        Assert.StartsWith("503", await mesh.GetAsync(Ct)); // no instance yet: the placeholder answers
        // nginx -s reload returns once the signal is sent; the master switches workers right after.

        await mesh.RegisterAsync("api:web-a", "web", a.Port, ct: Ct);
        var registered = await mesh.RegisterAsync("api:web-b", "web", b.Port, ct: Ct);
        await mesh.WaitServedAsync(registered.Position);
        var seen = new HashSet<string>();
        await Wait.UntilAsync(async () =>
        {
            // Until the master has switched workers, the old generation answers (503 from the placeholder).
            if (await mesh.GetAsync(Ct) is var answer && answer.StartsWith("200", StringComparison.Ordinal)) seen.Add(answer);
            return seen.Count == 2;
        }, "requests to reach both backends");
        Assert.Equal(["200 backend-a", "200 backend-b"], seen.Order());

        var reconfigured = mesh.Nginx.Reconfigurations();
        var gone = await mesh.DeregisterAsync("api:web-b", Ct);
        await mesh.WaitServedAsync(gone.Position);
        // nginx's evidence that the new generation took over: it reconfigured and every old worker has exited.
        await Wait.UntilAsync(() => mesh.Nginx.Reconfigurations() > reconfigured, "nginx to reconfigure", mesh.Nginx.ErrorLogText);
        await mesh.WaitOldWorkersGoneAsync();
        // Workers of the old generation may still finish in-flight requests; new ones only know backend-a.
        await Wait.UntilAsync(async () => await mesh.GetAsync(Ct) == "200 backend-a", "the new config to serve");
        for (var i = 0; i < 10; i++) Assert.Equal("200 backend-a", await mesh.GetAsync(Ct));
    }

    [Fact]
    public async Task Burst_Of500RegistrationsInOneSecond_MakesAtMostTwoReloads()
    {
        string[] bulk = [.. Enumerable.Range(0, 50).Select(i => $"bulk-{i}")];
        await using var mesh = await RendererHarness.StartAsync(o =>
        {
            o.DebounceMs = 200;
            o.MaxDelayMs = 1000;
            o.Services = ["web", .. bulk];
        });
        await using var backend = await Backend.StartAsync("backend-web");
        await mesh.WaitServedAsync(0);
        // The renderer's first rollout is one reload: wait until nginx has logged it, then count from there.
        await Wait.UntilAsync(() => mesh.Nginx.Reconfigurations() >= 1, "nginx to log the first reload");
        var before = mesh.Nginx.Reconfigurations();

        var started = DateTime.UtcNow;
        var results = await Task.WhenAll(Enumerable.Range(0, 499).Select(i =>
            mesh.RegisterAsync($"api:bulk-{i}", bulk[i % 50], 10_000 + i, $"10.1.{i / 250}.{i % 250 + 1}", Ct)));
        // The 500th is the only web instance: once nginx answers from it, the generation with everything is live.
        var last = await mesh.RegisterAsync("api:web", "web", backend.Port, ct: Ct);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "the 500 registrations were not sent within one second");
        Assert.True(last.Position > results.Max(r => r.Position));

        await mesh.WaitServedAsync(last.Position);
        await Wait.UntilAsync(async () => await mesh.GetAsync(Ct) == "200 backend-web", "nginx to serve the last registration");
        Assert.InRange(mesh.Nginx.Reconfigurations() - before, 1, 2);
        Assert.InRange(mesh.Status.Targets[RendererHarness.Target].Reloads - 1, 1, 2);
        Assert.Contains("server 10.1.1.249:10498;", await File.ReadAllTextAsync(mesh.Nginx.OutputPath, Ct));
    }

    [Fact]
    public async Task Applied_CarriesTheLiveFilesHashAndThePositionItWasRenderedAt()
    {
        await using var mesh = await RendererHarness.StartAsync();
        await using var a = await Backend.StartAsync("backend-a");
        // The first rollout and its record come first; a registration racing them would be rendered with the record.
        await mesh.WaitIdleAsync(Ct);

        var registered = await mesh.RegisterAsync("api:web-a", "web", a.Port, ct: Ct);
        await mesh.WaitServedAsync(registered.Position);

        var applied = Assert.IsType<NginxConfigApplied>((await mesh.NginxEventsAsync(Ct)).Last());
        var live = await File.ReadAllBytesAsync(mesh.Nginx.OutputPath, Ct);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(live)), applied.Hash);
        Assert.Equal(registered.Position, applied.Position);
        Assert.Equal(RendererHarness.Target, applied.Target);
        await Wait.UntilAsync(async () => await mesh.GetAsync(Ct) == "200 backend-a", "nginx to serve the applied config");
    }

    [Fact]
    public async Task UserTemplate_RenderingInvalidConfig_IsRejectedWithNginxsMessage_AndTheOldConfigStillServes()
    {
        var template = Path.Combine(Path.GetTempPath(), $"mesh-nginx-template-{Guid.NewGuid():N}.liquid");
        // Valid until a service called "broken" has a passing instance.
        await File.WriteAllTextAsync(template, UserTemplate(perUpstream: """
            {%- if u.service == "broken" and u.placeholder == false %}
            this_is_not_nginx on;
            {%- endif %}
            """), Ct);
        try
        {
            await using var mesh = await RendererHarness.StartAsync(o =>
            {
                o.TemplatePath = template;
                o.Services = ["web", "broken"];
            });
            await using var a = await Backend.StartAsync("backend-a");
            var registered = await mesh.RegisterAsync("api:web-a", "web", a.Port, ct: Ct);
            await mesh.WaitServedAsync(registered.Position);
            var good = await File.ReadAllBytesAsync(mesh.Nginx.OutputPath, Ct);
            await Wait.UntilAsync(async () => await mesh.GetAsync(Ct) == "200 backend-a", "nginx to serve the applied config");
            await mesh.WaitOldWorkersGoneAsync(); // else a worker from before may still answer 503 below

            var broken = await mesh.RegisterAsync("api:broken-1", "broken", 9999, ct: Ct);
            NginxConfigRejected? rejected = null;
            await Wait.UntilAsync(async () =>
                (rejected = (await mesh.NginxEventsAsync(Ct)).OfType<NginxConfigRejected>().FirstOrDefault()) is not null, "the rejection in the log");

            Assert.Equal(broken.Position, rejected!.Position);
            Assert.Contains("unknown directive \"this_is_not_nginx\"", rejected.Error);
            Assert.Equal(good, await File.ReadAllBytesAsync(mesh.Nginx.OutputPath, Ct));
            Assert.Equal("200 backend-a", await mesh.GetAsync(Ct));
        }
        finally
        {
            File.Delete(template);
        }
    }

    [Fact]
    public async Task UserTemplate_PrintingThePosition_IsNotRenderedAgainForItsOwnAuditRecord()
    {
        var template = Path.Combine(Path.GetTempPath(), $"mesh-nginx-template-{Guid.NewGuid():N}.liquid");
        // Printing the position makes every render differ: rendering again for the record of its own rollout would
        // reload nginx, record that, and so on for ever.
        await File.WriteAllTextAsync(template, UserTemplate(header: "# rendered at position {{ position }}"), Ct);
        try
        {
            await using var mesh = await RendererHarness.StartAsync(o => o.TemplatePath = template);
            await using var a = await Backend.StartAsync("backend-a");
            await mesh.WaitIdleAsync(Ct);
            var registered = await mesh.RegisterAsync("api:web-a", "web", a.Port, ct: Ct);
            await mesh.WaitServedAsync(registered.Position);

            // The head is now the record of that rollout; once the renderer has taken it, nothing more was applied.
            var head = await mesh.Store.Store.ReadHeadPositionAsync(Ct);
            Assert.True(head > registered.Position);
            await Wait.UntilAsync(() => mesh.Status.Targets[RendererHarness.Target].Position >= head, "the renderer to take its own audit record");

            var applied = (await mesh.NginxEventsAsync(Ct)).OfType<NginxConfigApplied>().Last();
            Assert.Equal(registered.Position, applied.Position);
            Assert.StartsWith($"# rendered at position {registered.Position}\n", await File.ReadAllTextAsync(mesh.Nginx.OutputPath, Ct));
        }
        finally
        {
            File.Delete(template);
        }
    }

    [Fact]
    public async Task ReloadWhileNginxIsDown_IsRetried_AndAppliedOnceNginxIsBack()
    {
        await using var mesh = await RendererHarness.StartAsync();
        await using var a = await Backend.StartAsync("backend-a");
        await mesh.WaitServedAsync(0);
        await mesh.Nginx.StopMasterAsync();

        var registered = await mesh.RegisterAsync("api:web-a", "web", a.Port, ct: Ct);
        await Wait.UntilAsync(() => mesh.Status.Targets[RendererHarness.Target].LastError?.Contains("reload exited", StringComparison.Ordinal) == true,
            "the failed reload to be reported");
        Assert.DoesNotContain(await mesh.NginxEventsAsync(Ct), e => e is NginxConfigApplied { Position: > 0 });

        await mesh.Nginx.StartMasterAsync();
        await mesh.WaitServedAsync(registered.Position);
        Assert.Contains(await mesh.NginxEventsAsync(Ct), e => e is NginxConfigApplied p && p.Position == registered.Position);
        await Wait.UntilAsync(async () => await mesh.GetAsync(Ct) == "200 backend-a", "nginx to serve the applied config");
    }

    /// <summary>
    /// A user template writing upstreams and the 503 placeholder as the built-in one does, with <paramref name="header"/>
    /// first and <paramref name="perUpstream"/> inside the loop after each upstream block.
    /// </summary>
    private static string UserTemplate(string header = "", string perUpstream = "") => $$$"""
        {{{header}}}
        {%- for u in upstreams %}
        upstream {{ u.name }} {
        {%- if u.placeholder %}
            server {{ placeholder_listen }};
        {%- else %}{% for s in u.servers %}
            server {{ s.endpoint }};
        {%- endfor %}{% endif %}
        }
        {{{perUpstream}}}
        {%- endfor %}
        {%- if has_placeholder %}
        server { listen {{ placeholder_listen }}; return 503; }
        {%- endif %}

        """;
}
