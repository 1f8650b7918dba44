using System.Diagnostics;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// An unmodified Consul client library (python-consul, Debian's python3-consul, installed by scripts/test.sh)
/// registers, reads, blocks, updates a TTL check and deregisters against the real `mesh` process.
/// </summary>
public sealed class ConsulClientCompatibilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PythonConsulClient_RegistersReadsBlocksAndDeregisters_AsAgainstConsul()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);

        var seen = await RunClientAsync(mesh);

        Assert.True(seen["errors"]!.AsArray().Count == 0, $"client errors: {seen["errors"]}{mesh.Describe()}");
        Assert.True((bool)seen["register"]!);
        Assert.Equal(["web-1"], Strings(seen["health_web"]!["ids"]));
        Assert.Equal([8080], seen["health_web"]!["ports"]!.AsArray().Select(p => (int)p!));
        Assert.Empty(Strings(seen["worker_passing_before_ttl"]));   // a new TTL check starts critical
        Assert.True((bool)seen["ttl_pass"]!);
        Assert.Equal(["worker-1"], Strings(seen["worker_passing_after_ttl"]));
        Assert.Equal(["primary", "v1"], Strings(seen["catalog_services"]!["web"]).Order());
        Assert.Equal(["web-1", "worker-1"], Strings(seen["agent_services"]));
        var blocking = seen["blocking"]!;
        Assert.True((bool)blocking["returned"]! && (bool)blocking["index_moved"]!, $"blocking query: {blocking}");
        Assert.Equal(["web-1", "web-2"], Strings(blocking["ids"]));
        Assert.True((bool)seen["deregister"]!);
        Assert.Equal(["web-2"], Strings(seen["catalog_web_after_deregister"]));
        Assert.Equal(mesh.BaseAddress.Authority, (string?)seen["leader"]);
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node!.AsArray().Select(n => (string)n!);

    private static async Task<JsonNode> RunClientAsync(MeshProcess mesh)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "python_consul_client.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, mesh.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct);
        Assert.True(process.ExitCode == 0, $"python-consul client exited {process.ExitCode} (is python3-consul installed? scripts/test.sh installs it):\n{await stderr}");
        return JsonNode.Parse(await stdout)!;
    }
}
