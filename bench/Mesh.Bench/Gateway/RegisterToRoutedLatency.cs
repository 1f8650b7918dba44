using System.Diagnostics;
using System.Net;
using System.Text;
using Mesh.Bench.Common;
using Mesh.Gateway;
using Mesh.Tests.Common;

namespace Mesh.Bench.Gateway;

/// <summary>
/// From a registration's 200 (<c>PUT /v1/agent/service/register</c>) to the first request through the gateway that
/// the new instance answers: the real application on loopback, a Kestrel backend (tests/Common/HttpBackend), a new service per iteration
/// (so every first request finds a host that did not route a moment ago). The client sends its first request the
/// moment the 200 arrives and retries at once on anything else, counting the attempts.
/// </summary>
internal static class RegisterToRoutedLatency
{
    public static async Task RunAsync(int iterations)
    {
        await using var mesh = await BenchHost.StartAsync("--Logging:LogLevel:Mesh.Gateway.AccessLog", "Warning");
        var gatewayUrl = mesh.Get<GatewayEndpoints>().Http ?? throw new InvalidOperationException("The gateway does not listen.");
        await using var backend = await HttpBackend.StartAsync("bench");
        using var gateway = new HttpClient { BaseAddress = gatewayUrl };

        var latencies = new List<double>(iterations);
        var retries = 0;
        for (var i = 0; i < iterations + 10; i++)
        {
            var service = $"svc-{i}";
            var body = $$"""{"ID":"{{service}}-1","Name":"{{service}}","Address":"127.0.0.1","Port":{{backend.Port}}}""";
            using (var put = await mesh.Http.PutAsync("/v1/agent/service/register", new StringContent(body, Encoding.UTF8, "application/json")))
                put.EnsureSuccessStatusCode();
            var registered = Stopwatch.GetTimestamp();
            var attempts = 0;
            while (true)
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = $"{service}.mesh";
                using var response = await gateway.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK) break;
                if (attempts > 10_000) throw new InvalidOperationException($"{service} never routed: {(int)response.StatusCode}");
            }
            if (i < 10) continue; // warm-up
            latencies.Add(Stopwatch.GetElapsedTime(registered).TotalMilliseconds);
            retries += attempts - 1;
        }

        Console.WriteLine($"register 200 -> first proxied 200 over {iterations} new services (ms); {retries} requests needed a retry");
        Console.WriteLine(Percentiles.Describe("register -> routed", latencies));
    }
}
