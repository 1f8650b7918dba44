using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The real <c>mesh</c> process routing through its gateway to real HTTP backends registered through the Consul API:
/// a deregistration under steady load fails no request, and a backend killed without deregistering stops costing
/// errors once passive health takes it out.
/// </summary>
public sealed class GatewayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoBackends_OneDeregisteredDuringSteadyLoad_NoRequestFails_AndNoNewRequestReachesIt()
    {
        using var dir = new TempDirectory();
        await using var mesh = await StartMeshAsync(dir);
        await using var a = await HttpBackend.StartAsync("a");
        await using var b = await HttpBackend.StartAsync("b");
        using var gateway = GatewayClient(mesh);

        var registered = await RegisterAsync(mesh, "web-a", a);
        await Eventually.WaitAsync(() => StatusOfAsync(gateway, "/"), s => s == HttpStatusCode.OK, Patience,
            "the first proxied success", Ct, mesh.Describe);
        output.WriteLine($"register 200 -> first proxied success: {registered.Elapsed.TotalMilliseconds:0.0} ms");
        await RegisterAsync(mesh, "web-b", b);
        await Eventually.WaitAsync(async () =>
        {
            await StatusOfAsync(gateway, "/");
            return b.Requests;
        }, n => n > 0, Patience, "a request to reach b", Ct, mesh.Describe);

        using var stop = new CancellationTokenSource();
        var load = SteadyLoadAsync(gateway, workers: 4, stop.Token);
        await Eventually.WaitAsync(() => Task.FromResult(a.Requests + b.Requests), n => n > 200, Patience, "load to be flowing", Ct);
        using (var deregister = await mesh.Client.PutAsync("/v1/agent/service/deregister/web-b", null, Ct))
            Assert.Equal(HttpStatusCode.OK, deregister.StatusCode);
        await WaitForGatewayAtHeadAsync(mesh);
        var bAfterDeregistration = b.Requests;
        var aAfterDeregistration = a.Requests;
        await Eventually.WaitAsync(() => Task.FromResult(a.Requests), n => n > aAfterDeregistration + 200, Patience, "load to go on", Ct);
        await stop.CancelAsync();
        var (ok, failed, failures) = await load;

        Assert.True(failed == 0, $"{failed} of {ok + failed} requests failed: {string.Join("; ", failures.Take(5))}");
        Assert.Equal(bAfterDeregistration, b.Requests);
    }

    [Fact]
    public async Task BackendKilledWithoutDeregistering_RequestsDoNotFail_AndPassiveHealthTakesItOut()
    {
        using var dir = new TempDirectory();
        await using var mesh = await StartMeshAsync(dir);
        await using var alive = await HttpBackend.StartAsync("alive");
        await using var doomed = await HttpBackend.StartAsync("doomed");
        using var gateway = GatewayClient(mesh);
        await RegisterAsync(mesh, "web-alive", alive);
        await RegisterAsync(mesh, "web-doomed", doomed);
        await Eventually.WaitAsync(async () =>
        {
            await StatusOfAsync(gateway, "/");
            return doomed.Requests;
        }, n => n > 0, Patience, "a request to reach the doomed backend", Ct, mesh.Describe);

        await doomed.KillAsync();
        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            var answer = await StatusOfAsync(gateway, $"/{i}");
            if (answer != HttpStatusCode.OK) failures.Add(answer);
        }

        Assert.Empty(failures);
        var status = await mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", Ct);
        var outs = status.Body["Gateway"]!["OutDestinations"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains(outs, o => o.StartsWith("api:web-doomed@", StringComparison.Ordinal));
        var metrics = await mesh.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("mesh_gateway_destinations{service=\"web\",state=\"out\"} 1", metrics);
        Assert.Contains("mesh_gateway_requests_total{route=\"web.mesh/\",service=\"web\",code=\"2xx\"}", metrics);
    }

    [Fact]
    public async Task UnknownHost_Is404_AndTheApiIsNotReachableThroughTheGateway()
    {
        using var dir = new TempDirectory();
        await using var mesh = await StartMeshAsync(dir);
        using var gateway = new HttpClient { BaseAddress = mesh.GatewayAddress };

        using var response = await gateway.GetAsync("/v1/agent/services", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route for host", await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<MeshProcess> StartMeshAsync(TempDirectory dir)
    {
        // The access log would print a line per request of the load; warnings are enough here.
        var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?> { ["Logging__LogLevel__Mesh.Gateway.AccessLog"] = "Warning" });
        await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(30), Ct);
        return mesh;
    }

    private static HttpClient GatewayClient(MeshProcess mesh)
    {
        var client = new HttpClient { BaseAddress = mesh.GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Host = "web.mesh";
        return client;
    }

    private static async Task<Stopwatch> RegisterAsync(MeshProcess mesh, string id, HttpBackend backend)
    {
        using var response = await mesh.Client.RegisterAsync(new JsonObject
        {
            ["ID"] = id,
            ["Name"] = "web",
            ["Address"] = "127.0.0.1",
            ["Port"] = backend.Port,
        }, Ct);
        var answered = Stopwatch.StartNew();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"register answered {(int)response.StatusCode}{mesh.Describe()}");
        return answered;
    }

    private static async Task<HttpStatusCode> StatusOfAsync(HttpClient gateway, string path)
    {
        using var response = await gateway.GetAsync(path, Ct);
        return response.StatusCode;
    }

    /// <summary>Waits until /v1/mesh/status shows the gateway's routes at the store head.</summary>
    private static Task WaitForGatewayAtHeadAsync(MeshProcess mesh) =>
        Eventually.WaitAsync(
            () => mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", Ct),
            s => (long)s.Body["Gateway"]!["Position"]! >= (long)s.Body["StoreHead"]!,
            Patience, "the gateway to reach the store head", Ct, mesh.Describe);

    /// <summary>Requests in a loop from several workers until stopped (and at most two minutes); counts what failed.</summary>
    private static async Task<(int Ok, int Failed, List<string> Failures)> SteadyLoadAsync(HttpClient gateway, int workers, CancellationToken stop)
    {
        var ok = 0;
        var failed = 0;
        var failures = new List<string>();
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            for (var i = 0; !stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromMinutes(2); i++)
            {
                try
                {
                    using var response = await gateway.GetAsync($"/load/{w}/{i}", CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else
                    {
                        Interlocked.Increment(ref failed);
                        var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                        lock (failures) failures.Add($"{(int)response.StatusCode} {body}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref failed);
                    lock (failures) failures.Add(ex.Message);
                }
            }
        }));
        return (ok, failed, failures);
    }
}
