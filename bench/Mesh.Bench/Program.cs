using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using Mesh.Bench.Api;
using Mesh.Bench.Cluster;
using Mesh.Bench.Docker;
using Mesh.Bench.Gateway;
using Mesh.Bench.Nginx;
using Mesh.Bench.Projections;
using Mesh.Bench.Store;

namespace Mesh.Bench;

internal static class BenchProgram
{
    /// <summary>
    /// <c>append</c> (<c>--store postgres</c>), <c>replay</c> (<c>--store postgres</c>), <c>edge-lag</c>, <c>edge-route</c>, <c>wake</c>, <c>docker</c>, <c>gateway</c>, <c>routes</c>, <c>dns-zone</c>, <c>state-at</c> and <c>nginx</c> are plain Stopwatch runs (see bench/README.md);
    /// anything else goes to BenchmarkDotNet.
    /// </summary>
    public static async Task Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "append" when Option(args, "--store", "sqlite") == "postgres":
                // SQLite and PostgreSQL side by side; fewer events by default (PostgreSQL with fsync=on and one writer is slow).
                await Cancellable(ct => PostgresAppendThroughput.RunAsync(
                    writerCounts: Option(args, "--writers", "1,16,64,256").Split(',').Select(int.Parse).ToArray(),
                    events: int.Parse(Option(args, "--events", "10000")),
                    fsync: Option(args, "--pg-fsync", "both"),
                    ct));
                break;
            case "append":
                await AppendThroughput.RunAsync(
                    writerCounts: Option(args, "--writers", "1,16,64,256").Split(',').Select(int.Parse).ToArray(),
                    events: int.Parse(Option(args, "--events", "100000")));
                break;
            case "replay" when Option(args, "--store", "sqlite") == "postgres":
                // SQLite and PostgreSQL on the same events; 200,000 by default (building 1,000,000 into PostgreSQL takes long).
                await Cancellable(ct => PostgresReplayThroughput.RunAsync(
                    events: int.Parse(Option(args, "--events", "200000")),
                    instances: int.Parse(Option(args, "--instances", "10000")),
                    services: int.Parse(Option(args, "--services", "500")),
                    runs: int.Parse(Option(args, "--runs", "3")),
                    path: OptionOrNull(args, "--db"),
                    ct));
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
            case "edge-lag":
                await Cancellable(ct => EdgeSubscriptionLag.RunAsync(
                    rate: int.Parse(Option(args, "--rate", "1000")),
                    seconds: int.Parse(Option(args, "--seconds", "20")),
                    instances: int.Parse(Option(args, "--instances", "1000")),
                    probeEvery: int.Parse(Option(args, "--probe-every", "20")),
                    sampleMs: int.Parse(Option(args, "--sample-ms", "50")),
                    ct));
                break;
            case "edge-route":
                await Cancellable(ct => EdgeRegisterToRouted.RunAsync(iterations: int.Parse(Option(args, "--iterations", "200")), ct));
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

    /// <summary>
    /// Runs <paramref name="run"/> with a token that SIGINT (Ctrl+C) and SIGTERM cancel instead of ending the process, so
    /// that the servers and processes it started are stopped and their directories deleted; a cancelled run exits 130.
    /// </summary>
    private static async Task Cancellable(Func<CancellationToken, Task> run)
    {
        using var cancel = new Cancellation();
        try
        {
            await run(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled; what the run started is stopped.");
            Environment.ExitCode = 130;
        }
    }

    private sealed class Cancellation : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration[] _signals;

        public Cancellation()
        {
            _signals = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Console.Error.WriteLine($"{context.Signal}: stopping what this run started ...");
                _cancel.Cancel();
            }))];
        }

        public CancellationToken Token => _cancel.Token;

        public void Dispose()
        {
            foreach (var signal in _signals) signal.Dispose();
            _cancel.Dispose();
        }
    }

    private static string Option(string[] args, string name, string fallback) => OptionOrNull(args, name) ?? fallback;

    private static string? OptionOrNull(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
