using Mesh.Bench.Common;
using System.Diagnostics;
using System.Globalization;
using Mesh.Host;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Store;
using Mesh.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Docker;

/// <summary>
/// How long after a container starts its instance is visible to a Consul client. Starts a private dockerd (as the
/// tests do) and the real application with the Docker source on loopback, parks a blocking query on the service,
/// runs one container at a time (<c>docker run -d --network host</c>, busybox sleep) and times:
/// <list type="bullet">
/// <item>start → visible: from the engine's <c>start</c> event (its <c>timeNano</c>, kept as the registration's source
/// time) until the blocked client has an answer that includes the instance;</item>
/// <item>start → appended: until the registration was in the log (event delivery, inspect, decide, durable append);</item>
/// <item>run → visible: from invoking <c>docker run</c> (CLI start-up, create, vfs copy and start included).</item>
/// </list>
/// Engine and host share one clock.
/// </summary>
internal static class DockerRegistrationLatency
{
    private const string Service = "bench-docker";

    public static async Task RunAsync(int containers)
    {
        await using var engine = new DockerEngine();
        await engine.InitializeAsync();
        await using var mesh = await BenchHost.StartAsync(
            "--Mesh:Sources:Docker:Endpoint", engine.Endpoint, "--Mesh:Sources:Docker:HostAddress", "127.0.0.1",
            "--Mesh:Sources:Docker:Node", "bench");
        var http = mesh.Http;
        var status = mesh.Get<DockerSourceStatus>();
        var store = mesh.Get<IEventReader>();
        while (status.Current.Reconciles == 0) await Task.Delay(10);

        const int warmup = 3;
        var visible = new List<double>(containers);
        var appended = new List<double>(containers);
        var fromRun = new List<double>(containers);
        for (var i = 0; i < containers + warmup; i++)
        {
            using var current = await http.GetAsync($"/v1/health/service/{Service}");
            var index = current.Headers.GetValues("X-Consul-Index").Single();
            var run = Stopwatch.GetTimestamp();
            var starting = engine.RunSleeperAsync(new Dictionary<string, string>
            {
                ["mesh.service"] = Service,
                ["mesh.port"] = (9000 + i).ToString(CultureInfo.InvariantCulture),
            });
            DateTimeOffset seenAt;
            long seen;
            string id;
            while (true)
            {
                using var response = await http.GetAsync($"/v1/health/service/{Service}?index={index}&wait=30s");
                var body = await response.Content.ReadAsStringAsync();
                seenAt = DateTimeOffset.UtcNow;
                seen = Stopwatch.GetTimestamp();
                index = response.Headers.GetValues("X-Consul-Index").Single();
                // The id is known once the CLI returns, which can be after the instance is visible.
                id = await starting;
                if (body.Contains("docker:" + id, StringComparison.Ordinal)) break;
            }

            var registration = await FirstEventAsync(store, "docker:" + id);
            if (i < warmup) continue;
            var startedAt = registration.Metadata.SourceTime ?? throw new InvalidOperationException("The registration has no source time.");
            visible.Add((seenAt - startedAt).TotalMilliseconds);
            appended.Add((registration.RecordedAt - startedAt).TotalMilliseconds);
            fromRun.Add(Stopwatch.GetElapsedTime(run, seen).TotalMilliseconds);
        }

        Console.WriteLine($"docker start -> registered over {containers} containers, one at a time (ms)");
        Console.WriteLine(Percentiles.Describe("start -> visible", visible));
        Console.WriteLine(Percentiles.Describe("start -> appended", appended));
        Console.WriteLine(Percentiles.Describe("docker run -> visible", fromRun));
    }

    private static async Task<RecordedEvent> FirstEventAsync(IEventReader store, string instanceId)
    {
        await foreach (var e in store.ReadStreamAsync(StreamName.ForInstance(instanceId)))
            return e;
        throw new InvalidOperationException($"No events for {instanceId}.");
    }

}
