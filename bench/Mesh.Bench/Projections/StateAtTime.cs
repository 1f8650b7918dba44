using System.Diagnostics;
using Mesh.Bench.Workloads;
using Mesh.Projections.Feed;
using Mesh.Projections.History;
using Mesh.Projections.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Bench.Projections;

/// <summary>
/// Forensics: the registry at a random point of a store of <c>events</c> events (the replay benchmark's store), from
/// the nearest archived snapshot plus the events after it. First the projector catches up once, archiving a snapshot
/// every <c>every</c> events (timed: what the first start after an upgrade costs); then <c>queries</c> random
/// positions, the worst case (just before a snapshot), a time slider dragged forward and back, and random times.
/// </summary>
internal static class StateAtTime
{
    public static async Task RunAsync(int events, int instances, int services, int every, int queries, string? path)
    {
        path ??= Path.Combine(Path.GetTempPath(), "mesh-bench", $"replay-{events}-{instances}-{services}.db");
        await ReplayThroughput.EnsureBuiltAsync(path, events, instances, services);
        Console.WriteLine($"state at T: {events:N0} events, {instances:N0} instances, {services:N0} services; snapshot every {every:N0} events");
        var directory = BenchStore.FreshDirectory("state-at");
        try
        {
            await RunOnCopyAsync(path, Path.Combine(directory, "mesh.db"), events, every, queries);
        }
        finally
        {
            // A copy of the store plus its archive is hundreds of megabytes: never left behind.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunOnCopyAsync(string path, string copy, int events, int every, int queries)
    {
        File.Copy(path, copy);
        await using var store = BenchStore.Open(copy);

        var options = Options.Create(new SnapshotOptions { Directory = Path.GetDirectoryName(copy)!, SnapshotEvery = every });
        var watch = Stopwatch.StartNew();
        var projector = new RegistryProjector(store, new RegistryFeed(), new SnapshotStore(options), options, NullLogger<RegistryProjector>.Instance, store);
        await projector.StartAsync(CancellationToken.None);
        await projector.StopAsync(CancellationToken.None);
        await projector.DisposeAsync();
        var archived = await store.ReadSnapshotAsync(long.MaxValue);
        Console.WriteLine($"catch-up with archiving: {watch.Elapsed.TotalSeconds:N1} s; archive: {events / every} snapshots, the last {archived?.State.Length / 1024:N0} KiB");

        // Steady state, as in a Mesh that has answered a few queries: until then the runtime runs the decoder and the
        // fold unoptimized (tiered compilation), which doubles their cost.
        var warmUp = new Random(7);
        var warmHistory = new RegistryHistory(store, store);
        for (var i = 0; i < 30; i++) await warmHistory.StateAtAsync(warmUp.NextInt64(1, events + 1));
        var read = new Random(11);
        var readOne = await TimeAsync(20, () => store.ReadSnapshotAsync(read.NextInt64(every, events + 1)));
        Console.WriteLine(Common.Percentiles.Describe("read one snapshot (ms)", readOne.Wall));
        var decode = await TimeAsync(10, () => Task.FromResult(SnapshotCodec.Decode(archived!.State)));
        Console.WriteLine(Common.Percentiles.Describe("decode one snapshot (ms)", decode.Wall));
        var fold = await TimeAsync(10, () => Mesh.Projections.State.RegistryProjection.FoldAsync(store.ReadAllAsync(events - every + 1, every - 1)));
        Console.WriteLine(Common.Percentiles.Describe($"read + fold {every - 1:N0} events (ms)", fold.Wall));
        var history = new RegistryHistory(store, store);
        var rng = new Random(42);
        var random = await TimeAsync(queries, () => history.StateAtAsync(rng.NextInt64(1, events + 1)));
        var worst = await TimeAsync(Math.Max(5, queries / 5), () => history.StateAtAsync(rng.Next(1, events / every) * (long)every - 1));
        // A time slider dragged forward, then back: one history answering positions 200 events apart. Each answer
        // starts from the state it kept last, when that grew from the same snapshot.
        var slider = new RegistryHistory(store, store);
        var from = rng.NextInt64(1, events - 60 * 200);
        var step = 0;
        var forward = await TimeAsync(30, () => slider.StateAtAsync(from + 200L * step++));
        var backward = await TimeAsync(30, () => slider.StateAtAsync(from + 200L * --step));
        var first = await ReadTimeAsync(store, 1);
        var last = await ReadTimeAsync(store, events);
        var times = await TimeAsync(queries, () => history.StateAtAsync(first + (last - first) * rng.NextDouble()));
        Console.WriteLine(Common.Percentiles.Describe("random position (ms)", random.Wall));
        Console.WriteLine(Common.Percentiles.Describe("just before a snapshot (ms)", worst.Wall));
        Console.WriteLine(Common.Percentiles.Describe("random time (ms)", times.Wall));
        Console.WriteLine(Common.Percentiles.Describe("slider forward, 200 apart (ms)", forward.Wall));
        Console.WriteLine(Common.Percentiles.Describe("slider back, 200 apart (ms)", backward.Wall));
        // On a busy machine wall time measures the neighbours too; the process's CPU time per query (all its threads,
        // the collector's included) is what the query itself costs.
        Console.WriteLine(Common.Percentiles.Describe("random position, CPU (ms)", random.Cpu));
        Console.WriteLine(Common.Percentiles.Describe("before a snapshot, CPU (ms)", worst.Cpu));
    }

    /// <summary>Each query's wall time, and the CPU time the process spent meanwhile.</summary>
    private sealed record Timings(List<double> Wall, List<double> Cpu);

    private static async Task<Timings> TimeAsync<T>(int count, Func<Task<T>> query)
    {
        var results = new List<double>(count);
        var cpu = new List<double>(count);
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < count; i++)
        {
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            await query();
            results.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
        return new Timings(results, cpu);
    }

    private static async Task<DateTimeOffset> ReadTimeAsync(Mesh.Registry.Store.IEventReader store, long position)
    {
        await foreach (var e in store.ReadAllAsync(position, 1)) return e.RecordedAt;
        throw new InvalidOperationException($"no event at {position}");
    }
}
