using System.Diagnostics;
using System.Globalization;
using Mesh.Bench.Projections;
using Mesh.Bench.Workloads;
using Mesh.Projections.State;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Tests.Common;

namespace Mesh.Bench.Store;

/// <summary>
/// <c>replay --store postgres</c>: the <c>replay</c> workload (<see cref="RegistryWorkload"/>) on SQLite and on a
/// private PostgreSQL (tests/Common/PostgresServer, loopback TCP), the same events in both: each run reads
/// <c>$all</c> from position 1 alone, then reads and folds it into <see cref="RegistryState"/>
/// (<see cref="RegistryProjection.FoldAsync"/>, the projector's start without a snapshot), SQLite then PostgreSQL.
/// The SQLite file is the replay benchmark's cached one; the PostgreSQL database is built fresh each time (the test
/// server runs with fsync=off, which only speeds up the build: the runs read).
/// </summary>
internal static class PostgresReplayThroughput
{
    public static async Task RunAsync(int events, int instances, int services, int runs, string? path, CancellationToken ct)
    {
        path ??= Path.Combine(Path.GetTempPath(), "mesh-bench", $"replay-{events}-{instances}-{services}.db");
        await ReplayThroughput.EnsureBuiltAsync(path, events, instances, services);

        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            var connectionString = await postgres.CreateDatabaseAsync();
            await BuildAsync(connectionString, events, instances, services, ct);

            Console.WriteLine($"replay: {events:N0} events over {instances:N0} instances / {services:N0} services; SQLite {path}, PostgreSQL 127.0.0.1:{postgres.Port}");
            Console.WriteLine("run | store    | read $all: events/s, s | read + fold: events/s, s | instances, services in the state");
            for (var run = 1; run <= runs; run++)
            {
                await using (var sqlite = BenchStore.Open(path)) Print(run, "sqlite", await MeasureAsync(sqlite, events, ct));
                await using (var pg = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, ct: ct))
                    Print(run, "postgres", await MeasureAsync(pg, events, ct));
            }
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }

    private static async Task<(TimeSpan Read, TimeSpan Fold, RegistryState State)> MeasureAsync(IEventReader store, int events, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        long read = 0;
        await foreach (var _ in store.ReadAllAsync(1, ct: ct)) read++;
        var readTime = watch.Elapsed;

        watch.Restart();
        var state = await RegistryProjection.FoldAsync(store.ReadAllAsync(1, ct: ct));
        var foldTime = watch.Elapsed;
        if (read != events || state.Position != events) throw new InvalidOperationException($"Read {read} events, folded to {state.Position}; expected {events}.");
        return (readTime, foldTime, state);
    }

    private static void Print(int run, string store, (TimeSpan Read, TimeSpan Fold, RegistryState State) m)
    {
        var events = m.State.Position;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run,3} | {store,-8} | {events / m.Read.TotalSeconds,12:N0}, {m.Read.TotalSeconds,5:N2} | {events / m.Fold.TotalSeconds,13:N0}, {m.Fold.TotalSeconds,5:N2} | {m.State.Instances.Count:N0}, {m.State.Services.Count:N0}"));
    }

    private static async Task BuildAsync(string connectionString, int events, int instances, int services, CancellationToken ct)
    {
        Console.WriteLine($"building {events:N0} events in PostgreSQL ...");
        var watch = Stopwatch.StartNew();
        await using var store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString });
        // As ReplayThroughput builds SQLite: many appends in flight so the writer commits large batches; one producer
        // queues them in order, so each stream's order is kept.
        var inFlight = new Queue<Task<AppendResult>>();
        foreach (var e in new RegistryWorkload(instances, services).Events(events))
        {
            ct.ThrowIfCancellationRequested();
            inFlight.Enqueue(store.AppendAsync(StreamName.ForInstance(e.InstanceId), ExpectedVersion.Any, [new EventData(e)]));
            if (inFlight.Count >= 20_000) await inFlight.Dequeue();
        }
        while (inFlight.Count > 0) await inFlight.Dequeue();
        Console.WriteLine($"built {events:N0} events in PostgreSQL in {watch.Elapsed.TotalSeconds:N1} s");
    }
}
