using BenchmarkDotNet.Running;
using Mesh.Bench.Api;
using Mesh.Bench.Docker;
using Mesh.Bench.Gateway;
using Mesh.Bench.Nginx;
using Mesh.Bench.Projections;
using Mesh.Bench.Store;

namespace Mesh.Bench;

internal static class BenchProgram
{
    /// <summary>
    /// <c>append</c>, <c>replay</c>, <c>wake</c>, <c>docker</c>, <c>gateway</c>, <c>routes</c>, <c>dns-zone</c>, <c>state-at</c> and <c>nginx</c> are plain Stopwatch runs (see bench/README.md);
    /// anything else goes to BenchmarkDotNet.
    /// </summary>
    public static async Task Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "append":
                await AppendThroughput.RunAsync(
                    writerCounts: Option(args, "--writers", "1,16,64,256").Split(',').Select(int.Parse).ToArray(),
                    events: int.Parse(Option(args, "--events", "100000")));
                break;
            case "replay":
                await ReplayThroughput.RunAsync(
                    events: int.Parse(Option(args, "--events", "1000000")),
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "500")),
                    runs: int.Parse(Option(args, "--runs", "3")),
                    path: OptionOrNull(args, "--db"));
                break;
            case "wake":
                await BlockingQueryLatency.RunAsync(iterations: int.Parse(Option(args, "--iterations", "200")));
                break;
            case "docker":
                await DockerRegistrationLatency.RunAsync(containers: int.Parse(Option(args, "--containers", "30")));
                break;
            case "gateway":
                await RegisterToRoutedLatency.RunAsync(iterations: int.Parse(Option(args, "--iterations", "200")));
                break;
            case "routes":
                await RouteTableBuildTime.RunAsync(
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "1000")),
                    environments: int.Parse(Option(args, "--environments", "10")),
                    runs: int.Parse(Option(args, "--runs", "20")));
                break;
            case "state-at":
                await Projections.StateAtTime.RunAsync(
                    events: int.Parse(Option(args, "--events", "1000000")),
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "1000")),
                    every: int.Parse(Option(args, "--every", "10000")),
                    queries: int.Parse(Option(args, "--queries", "50")),
                    path: OptionOrNull(args, "--db"));
                break;
            case "dns-zone":
                await Dns.ZoneBuildTime.RunAsync(
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "1000")),
                    environments: int.Parse(Option(args, "--environments", "10")),
                    runs: int.Parse(Option(args, "--runs", "20")));
                break;
            case "nginx":
                await NginxRenderTime.RunAsync(
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "1000")),
                    runs: int.Parse(Option(args, "--runs", "20")));
                break;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
                break;
        }
    }

    private static string Option(string[] args, string name, string fallback) => OptionOrNull(args, name) ?? fallback;

    private static string? OptionOrNull(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
