using Mesh.Bench.Common;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Http.Json;
using Mesh.Host;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Api;

/// <summary>
/// How long a Consul blocking query (<c>GET /v1/health/service/web?index=N&amp;wait=30s</c>) takes to return after
/// the service changes. Runs the real application on loopback; the change goes in through the registry in process
/// so that two intervals can be told apart:
/// <list type="bullet">
/// <item>change → notified: from handing the observation to the registry until the blocked client has its response
/// (includes the durable append);</item>
/// <item>appended → notified: from the append returning until the blocked client has its response (the wake-up
/// path: subscription, projection, feed, blocking query, HTTP).</item>
/// </list>
/// </summary>
internal static class BlockingQueryLatency
{
    public static async Task RunAsync(int iterations)
    {
        await using var mesh = await BenchHost.StartAsync();
        var http = mesh.Http;
        var registry = mesh.Get<IObservationHandler>();

        await registry.HandleAsync(Web(0));
        await registry.HandleAsync(Web(0) with { InstanceId = "bench:other", Service = "other" });

        var total = new List<double>(iterations);
        var wake = new List<double>(iterations);
        for (var i = 1; i <= iterations + 10; i++)
        {
            using var current = await http.GetAsync("/v1/health/service/web");
            var index = current.Headers.GetValues("X-Consul-Index").Single();
            var blocked = http.GetAsync($"/v1/health/service/web?index={index}&wait=30s");
            // Give the request time to reach the server and park; this is a benchmark, not a test.
            await Task.Delay(20);
            if (blocked.IsCompleted) throw new InvalidOperationException("The blocking query returned before any change.");

            var started = Stopwatch.GetTimestamp();
            await registry.HandleAsync(Web(i));
            var appended = Stopwatch.GetTimestamp();
            using var response = await blocked;
            var notified = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            if (i <= 10) continue; // warm-up
            total.Add(Stopwatch.GetElapsedTime(started, notified).TotalMilliseconds);
            wake.Add(Stopwatch.GetElapsedTime(appended, notified).TotalMilliseconds);
        }

        Console.WriteLine($"blocking query wake-up over {iterations} changes (ms)");
        Console.WriteLine(Percentiles.Describe("change -> notified", total));
        Console.WriteLine(Percentiles.Describe("appended -> notified", wake));
    }

    private static InstanceSeen Web(int generation) => new(
        "bench:web", "bench", "web", "integration", "127.0.0.1", 8080,
        [$"g{generation}"], ImmutableSortedDictionary<string, string>.Empty, [], null, "bench", []);

}
