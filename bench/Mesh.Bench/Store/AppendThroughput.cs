using System.Diagnostics;
using System.Globalization;
using Mesh.Bench.Workloads;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mesh.Bench.Store;

/// <summary>
/// Append throughput: N concurrent writers, each appending single <see cref="InstanceRegistered"/> events to
/// streams nobody else writes (expected version: no stream), into a fresh <c>SqliteEventStore</c> with
/// synchronous=FULL. Every append is awaited, so at most N are in flight and batches hold at most N events.
/// </summary>
internal static class AppendThroughput
{
    public static async Task RunAsync(int[] writerCounts, int events)
    {
        var sample = new RegistryWorkload(instances: 1, services: 1).Events(1).OfType<InstanceRegistered>().Single();
        Console.WriteLine($"append: {events:N0} single-event appends per run, event of {EventSerializer.Serialize(sample).Length} bytes JSON");
        Console.WriteLine("writers |  events/s | seconds | transactions | events/transaction");
        foreach (var writers in writerCounts)
        {
            var dir = BenchStore.FreshDirectory("append");
            try
            {
                await using var store = BenchStore.Open(Path.Combine(dir, "mesh.db"));
                await Run(store, writers, Math.Min(2_000, events), sample, "warmup"); // JIT, page cache, WAL file growth
                var transactionsBefore = store.CommittedTransactions;
                var watch = Stopwatch.StartNew();
                await Run(store, writers, events, sample, "run");
                watch.Stop();
                var transactions = store.CommittedTransactions - transactionsBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{writers,7} | {events / watch.Elapsed.TotalSeconds,9:N0} | {watch.Elapsed.TotalSeconds,7:N2} | {transactions,12:N0} | {(double)events / transactions,18:N1}"));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static Task Run(SqliteEventStore store, int writers, int events, InstanceRegistered sample, string prefix)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events)
            {
                var id = $"bench:{prefix}-{i}";
                await store.AppendAsync(StreamName.ForInstance(id), ExpectedVersion.NoStream, [new EventData(sample with { InstanceId = id })]);
            }
        })));
    }
}
