using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Mesh.Bench.Workloads;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;
using Mesh.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Mesh.Bench.Store;

/// <summary>
/// <c>append --store postgres</c>: the <c>append</c> workload (N concurrent writers, single
/// <see cref="InstanceRegistered"/> appends to streams nobody else writes, each awaited) on SQLite (synchronous=FULL,
/// as <see cref="AppendThroughput"/>) and on a private PostgreSQL (tests/Common/PostgresServer, loopback TCP, a fresh
/// database per row), printed side by side with the per-append latency. PostgreSQL runs twice: with its durability
/// defaults (fsync=on, the production setting and the one to compare with SQLite's FULL) and with the test server's
/// fsync=off (what the protocol, the advisory lock and the round trips cost without the WAL flush).
/// </summary>
internal static class PostgresAppendThroughput
{
    private sealed record Row(string Store, int Writers, double EventsPerSecond, double Seconds, long Transactions, List<double> Latencies);

    public static async Task RunAsync(int[] writerCounts, int events, string fsync, CancellationToken ct)
    {
        var modes = fsync switch
        {
            "on" => new[] { true },
            "off" => [false],
            "both" => [true, false],
            _ => throw new ArgumentException($"--pg-fsync must be on, off or both (was {fsync})"),
        };
        var sample = new RegistryWorkload(instances: 1, services: 1).Events(1).OfType<InstanceRegistered>().Single();
        Console.WriteLine($"append: {events:N0} single-event appends per run, event of {EventSerializer.Serialize(sample).Length} bytes JSON; 2,000-event warm-up per run");
        Console.WriteLine("store                      | writers |  events/s | seconds | transactions | events/tx | append ms p50 / p99");
        var rows = new List<Row>();

        foreach (var writers in writerCounts)
        {
            var dir = BenchStore.FreshDirectory("append");
            try
            {
                await using var store = BenchStore.Open(Path.Combine(dir, "mesh.db"));
                rows.Add(Print(await MeasureAsync("sqlite FULL", store, () => store.CommittedTransactions, writers, events, sample, ct)));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }

        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            // fsync=off first: the test server as it starts; then the same cluster restarted with PostgreSQL's defaults.
            if (modes.Contains(false)) await PostgresRowsAsync(postgres, "postgres fsync=off", writerCounts, events, sample, rows, ct);
            if (modes.Contains(true))
            {
                await postgres.StopAsync();
                await postgres.StartAsync(durable: true);
                await RequireDurableAsync(postgres);
                await PostgresRowsAsync(postgres, "postgres fsync=on", writerCounts, events, sample, rows, ct);
            }
        }
        finally
        {
            await postgres.DisposeAsync();
        }

        Console.WriteLine();
        var stores = rows.Select(r => r.Store).Distinct().ToList();
        Console.WriteLine($"events/s (append ms p50 / p99), {events:N0} events per cell:");
        Console.WriteLine("writers | " + string.Join(" | ", stores.Select(s => $"{s,-30}")));
        foreach (var writers in writerCounts)
        {
            Console.WriteLine($"{writers,7} | " + string.Join(" | ", stores.Select(s =>
            {
                var r = rows.Single(x => x.Store == s && x.Writers == writers);
                return string.Create(CultureInfo.InvariantCulture, $"{r.EventsPerSecond,9:N0} ({At(r.Latencies, 0.5):F2} / {At(r.Latencies, 0.99):F2})").PadRight(30);
            })));
        }
    }

    private static async Task RequireDurableAsync(PostgresServer postgres)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')", connection);
        var settings = (string)(await show.ExecuteScalarAsync())!;
        if (settings != "on on on") throw new InvalidOperationException($"fsync, synchronous_commit, full_page_writes are '{settings}', not all on.");
    }

    private static async Task PostgresRowsAsync(PostgresServer postgres, string name, int[] writerCounts, int events, InstanceRegistered sample, List<Row> rows, CancellationToken ct)
    {
        foreach (var writers in writerCounts)
        {
            var connectionString = await postgres.CreateDatabaseAsync();
            await using var store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString });
            rows.Add(Print(await MeasureAsync(name, store, () => store.CommittedTransactions, writers, events, sample, ct)));
        }
    }

    private static async Task<Row> MeasureAsync(string name, IEventWriter store, Func<long> transactions, int writers, int events, InstanceRegistered sample, CancellationToken ct)
    {
        await Run(store, writers, Math.Min(2_000, events), sample, "warmup", new double[Math.Min(2_000, events)], ct); // JIT, caches, pools, file growth
        var before = transactions();
        var latencies = new double[events];
        var watch = Stopwatch.StartNew();
        await Run(store, writers, events, sample, "run", latencies, ct);
        watch.Stop();
        return new Row(name, writers, events / watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, transactions() - before, [.. latencies.Order()]);
    }

    private static Row Print(Row r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Store,-26} | {r.Writers,7} | {r.EventsPerSecond,9:N0} | {r.Seconds,7:N2} | {r.Transactions,12:N0} | {(double)r.Latencies.Count / r.Transactions,9:N1} | {At(r.Latencies, 0.5):F2} / {At(r.Latencies, 0.99):F2}"));
        return r;
    }

    private static double At(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];

    private static Task Run(IEventWriter store, int writers, int events, InstanceRegistered sample, string prefix, double[] latencies, CancellationToken ct)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events)
            {
                ct.ThrowIfCancellationRequested();
                var id = $"bench:{prefix}-{i}";
                var started = Stopwatch.GetTimestamp();
                await store.AppendAsync(StreamName.ForInstance(id), ExpectedVersion.NoStream, [new EventData(sample with { InstanceId = id })]);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, ct)));
    }
}
