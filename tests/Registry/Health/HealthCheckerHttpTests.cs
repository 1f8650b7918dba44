using Mesh.Registry.Events;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class HealthCheckerHttpTests
{
    [Fact]
    public async Task HttpCheck_TargetDownThenUpThenDown_GoesCriticalThenPassingThenCritical()
    {
        await using var bed = new HealthTestBed();
        var port = HealthTestBed.FreePort();
        var url = $"http://127.0.0.1:{port}/ok";
        await bed.RegisterAsync("api:web-1", HealthTestBed.Http("web-1-http", url));
        await bed.StartCheckerAsync();

        var down = await bed.UntilHealthChangeAsync("api:web-1", "web-1-http", 1);
        Assert.Equal(HealthStatus.Critical, down.Status);
        Assert.Equal($"HTTP GET {url}: Connection refused", down.Output);

        var server = await TargetServer.StartAsync(port);
        var up = await bed.UntilHealthChangeAsync("api:web-1", "web-1-http", 2);
        Assert.Equal(HealthStatus.Passing, up.Status);
        Assert.Equal($"HTTP GET {url}: 200 OK Output: ok", up.Output);

        await server.DisposeAsync();
        var downAgain = await bed.UntilHealthChangeAsync("api:web-1", "web-1-http", 3);
        Assert.Equal(HealthStatus.Critical, downAgain.Status);
        // A probe that races the server's shutdown is reset rather than refused: either says the target is down.
        Assert.Contains(downAgain.Output, new[] { down.Output, $"HTTP GET {url}: Connection reset by peer" });
    }

    [Fact]
    public async Task HttpCheck_TooManyRequestsIsWarning_ServerErrorIsCritical()
    {
        await using var server = await TargetServer.StartAsync();
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:web-2",
            HealthTestBed.Http("busy", server.BaseUrl + "/busy", HealthStatus.Passing),
            HealthTestBed.Http("fail", server.BaseUrl + "/fail", HealthStatus.Passing));
        await bed.StartCheckerAsync();

        var busy = await bed.UntilHealthChangeAsync("api:web-2", "busy", 1);
        var fail = await bed.UntilHealthChangeAsync("api:web-2", "fail", 1);

        Assert.Equal(HealthStatus.Warning, busy.Status);
        Assert.Equal($"HTTP GET {server.BaseUrl}/busy: 429 Too Many Requests Output: slow down", busy.Output);
        Assert.Equal(HealthStatus.Critical, fail.Status);
        Assert.Equal($"HTTP GET {server.BaseUrl}/fail: 500 Internal Server Error Output: boom", fail.Output);
    }

    [Fact]
    public async Task HttpCheck_NoAnswerWithinTimeout_IsCriticalNamingTheTimeout()
    {
        await using var server = await TargetServer.StartAsync();
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:web-3",
            HealthTestBed.Http("slow", server.BaseUrl + "/slow", HealthStatus.Passing, timeout: TimeSpan.FromMilliseconds(200)));
        await bed.StartCheckerAsync();

        var slow = await bed.UntilHealthChangeAsync("api:web-3", "slow", 1);

        Assert.Equal(HealthStatus.Critical, slow.Status);
        Assert.Equal($"HTTP GET {server.BaseUrl}/slow: timed out after 200ms", slow.Output);
    }

    [Fact]
    public async Task HttpCheck_LargeBody_OutputKeepsTheFirst4KiB()
    {
        await using var server = await TargetServer.StartAsync();
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:web-4", HealthTestBed.Http("big", server.BaseUrl + "/big"));
        await bed.StartCheckerAsync();

        var big = await bed.UntilHealthChangeAsync("api:web-4", "big", 1);

        Assert.Equal(HealthStatus.Passing, big.Status);
        Assert.Equal($"HTTP GET {server.BaseUrl}/big: 200 OK Output: " + new string('x', 4096), big.Output);
    }

    [Fact]
    public async Task HttpCheck_SelfSignedCertificate_PassesOnlyWithTlsSkipVerify()
    {
        using var certificate = TargetServer.SelfSignedCertificate();
        await using var server = await TargetServer.StartAsync(certificate: certificate);
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:web-5",
            HealthTestBed.Http("skip", server.BaseUrl + "/ok", tlsSkipVerify: true),
            HealthTestBed.Http("verify", server.BaseUrl + "/ok", HealthStatus.Passing));
        await bed.StartCheckerAsync();

        var skip = await bed.UntilHealthChangeAsync("api:web-5", "skip", 1);
        var verify = await bed.UntilHealthChangeAsync("api:web-5", "verify", 1);

        Assert.Equal(HealthStatus.Passing, skip.Status);
        Assert.Equal(HealthStatus.Critical, verify.Status);
        Assert.StartsWith($"HTTP GET {server.BaseUrl}/ok: ", verify.Output);
    }

    [Fact]
    public async Task RepeatedIdenticalResults_AppendNothing()
    {
        await using var server = await TargetServer.StartAsync();
        await using var bed = new HealthTestBed();
        await bed.RegisterAsync("api:web-6", HealthTestBed.Http("ok", server.BaseUrl + "/ok"));
        var checker = await bed.StartCheckerAsync();
        await bed.UntilHealthChangeAsync("api:web-6", "ok", 1);
        var head = await bed.Store.ReadHeadPositionAsync(TestContext.Current.CancellationToken);
        var probes = checker.Counters.Probes;

        await HealthTestBed.UntilAsync(() => checker.Counters.Probes >= probes + 5, "five more probes");

        Assert.Equal(head, await bed.Store.ReadHeadPositionAsync(TestContext.Current.CancellationToken));
        Assert.Single(await bed.HealthChangesAsync("api:web-6", "ok"));
    }
}
