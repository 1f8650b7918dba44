using System.Diagnostics;
using System.Globalization;
using Mesh.Bench.Workloads;
using Mesh.Projections.State;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mesh.Bench.Projections;

/// <summary>
/// Replay: read $all from a store of <c>events</c> realistic events (built once, then reused) and fold it into
/// <see cref="RegistryState"/>, as the projector does on a start without a snapshot. Also times reading alone,
/// to tell the store's share from Apply's.
/// </summary>
internal static class ReplayThroughput
{
    public static async Task RunAsync(int events, int instances, int services, int runs, string? path)
    {
        path ??= Path.Combine(Path.GetTempPath(), "mesh-bench", $"replay-{events}-{instances}-{services}.db");
        await EnsureBuiltAsync(path, events, instances, services);

        Console.WriteLine($"replay: {events:N0} events over {instances:N0} instances / {services:N0} services from {path}");
        Console.WriteLine("run | read $all: events/s, s | read + fold: events/s, s | instances, services in the state");
        for (var run = 1; run <= runs; run++)
        {
            await using var store = BenchStore.Open(path);
            var watch = Stopwatch.StartNew();
            long read = 0;
            await foreach (var _ in store.ReadAllAsync()) read++;
            var readTime = watch.Elapsed;

            watch.Restart();
            // What the projector does on a start without a snapshot.
            var state = await RegistryProjection.FoldAsync(store.ReadAllAsync());
            var foldTime = watch.Elapsed;

            if (read != events || state.Position != events) throw new InvalidOperationException($"Read {read} events, folded to {state.Position}; expected {events}.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run,3} | {read / readTime.TotalSeconds,12:N0}, {readTime.TotalSeconds,5:N2} | {read / foldTime.TotalSeconds,13:N0}, {foldTime.TotalSeconds,5:N2} | {state.Instances.Count:N0}, {state.Services.Count:N0}"));
        }
    }

    internal static async Task EnsureBuiltAsync(string path, int events, int instances, int services)
    {
        if (File.Exists(path))
        {
            await using var existing = BenchStore.Open(path);
            if (await existing.ReadHeadPositionAsync() == events) return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*")) File.Delete(file);

        Console.WriteLine($"building {path} ...");
        var watch = Stopwatch.StartNew();
        await using var store = BenchStore.Open(path);
        // Many appends in flight so the writer commits large batches; per-stream order is kept because one
        // producer queues them in order.
        var inFlight = new Queue<Task<AppendResult>>();
        foreach (var e in new RegistryWorkload(instances, services).Events(events))
        {
            inFlight.Enqueue(store.AppendAsync(StreamName.ForInstance(e.InstanceId), ExpectedVersion.Any, [new EventData(e)]));
            if (inFlight.Count >= 20_000) await inFlight.Dequeue();
        }
        while (inFlight.Count > 0) await inFlight.Dequeue();
        Console.WriteLine($"built {events:N0} events in {watch.Elapsed.TotalSeconds:N1} s");
        SqliteConnection.ClearAllPools();
    }
}
