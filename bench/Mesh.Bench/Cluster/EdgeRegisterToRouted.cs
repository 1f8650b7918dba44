using System.Diagnostics;
using System.Net;
using System.Text;
using Mesh.Bench.Common;
using Mesh.Tests.Common;

namespace Mesh.Bench.Cluster;

/// <summary>
/// <c>edge-route</c>: event → route across the bus and the store. A private PostgreSQL and RabbitMQ, one
/// <c>registry</c> and one <c>edge</c> process and a Kestrel backend (tests/Common/HttpBackend); one at a time, a new
/// service (so a host name of its own, <c>&lt;service&gt;.mesh</c>) is registered through the edge's Consul API
/// (<c>PUT /v1/agent/service/register</c>: edge → RabbitMQ → registry → PostgreSQL → the edge's subscription), and
/// the moment the edge answers, requests go through the edge's gateway for that host until one is answered 200 by
/// the backend (retrying at once, counted). Times are from sending the PUT; 10 warm-up registrations first.
/// </summary>
internal static class EdgeRegisterToRouted
{
    public static async Task RunAsync(int iterations, CancellationToken ct)
    {
        Console.WriteLine($"edge-route: {iterations} registrations through the edge, each a new service routed at <service>.mesh by the edge's gateway");
        Console.WriteLine("starting PostgreSQL and RabbitMQ ...");
        await using var cluster = await BenchCluster.StartAsync();
        Console.WriteLine("starting registry and edge ...");
        await cluster.StartMeshAsync("registry", ct);
        var edge = await cluster.StartMeshAsync("edge", ct);
        await using var backend = await HttpBackend.StartAsync("bench");
        using var api = new HttpClient { BaseAddress = edge.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var gateway = new HttpClient { BaseAddress = edge.GatewayAddress ?? throw new InvalidOperationException("The edge has no gateway."), Timeout = TimeSpan.FromSeconds(30) };

        var putToRouted = new List<double>(iterations);
        var putRoundTrip = new List<double>(iterations);
        var answeredToRouted = new List<double>(iterations);
        var retries = 0;
        for (var i = 0; i < iterations + 10; i++)
        {
            var service = $"route-{i}";
            var body = $$"""{"ID":"{{service}}-1","Name":"{{service}}","Address":"127.0.0.1","Port":{{backend.Port}}}""";
            var sent = Stopwatch.GetTimestamp();
            using (var put = await api.PutAsync("/v1/agent/service/register", new StringContent(body, Encoding.UTF8, "application/json"), ct))
            {
                if (!put.IsSuccessStatusCode)
                    throw new InvalidOperationException($"register {service}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync(ct)}{cluster.Describe()}");
            }
            var answered = Stopwatch.GetTimestamp();
            var attempts = 0;
            while (true)
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = $"{service}.mesh";
                using var response = await gateway.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.OK) break;
                if (attempts > 10_000) throw new InvalidOperationException($"{service} never routed: {(int)response.StatusCode}{cluster.Describe()}");
            }
            var routed = Stopwatch.GetTimestamp();
            if (i < 10) continue; // warm-up
            putToRouted.Add(Stopwatch.GetElapsedTime(sent, routed).TotalMilliseconds);
            putRoundTrip.Add(Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds);
            answeredToRouted.Add(Stopwatch.GetElapsedTime(answered, routed).TotalMilliseconds);
            retries += attempts - 1;
        }

        Console.WriteLine($"{iterations} new services through the edge (ms); {retries} gateway requests needed a retry");
        Console.WriteLine(Percentiles.Describe("PUT sent -> routed", putToRouted));
        Console.WriteLine(Percentiles.Describe("PUT sent -> PUT 200", putRoundTrip));
        Console.WriteLine(Percentiles.Describe("PUT 200 -> routed", answeredToRouted));
        putToRouted.Sort();
        var p99 = putToRouted[(int)Math.Min(putToRouted.Count - 1, Math.Round(0.99 * (putToRouted.Count - 1)))];
        Console.WriteLine($"target p99 < 50 ms across the bus and the store: {(p99 < 50 ? "met" : "not met")} ({p99:F2} ms)");
    }
}
