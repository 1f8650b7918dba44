using System.Collections.Immutable;
using System.Diagnostics;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Bench.Gateway;

/// <summary>
/// What one registry change costs the gateway before it routes by it: building the <see cref="RouteTable"/> of a
/// registry of N instances across M services, each with a declared host, spread over E environments (so the table
/// also holds M × E environment hosts). Also times a lookup.
/// </summary>
internal static class RouteTableBuildTime
{
    public static Task RunAsync(int instances, int services, int environments, int runs)
    {
        var state = Build(instances, services, environments);
        RouteTable.Of(state, RouteTableOptions.Default); // warm-up
        var builds = new List<double>(runs);
        RouteTable table = RouteTable.Empty;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            table = RouteTable.Of(state, RouteTableOptions.Default);
            builds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / runs;

        const int lookups = 1_000_000;
        var hosts = Enumerable.Range(0, 1024).Select(i => $"svc-{i % services}.example.test").ToArray();
        var found = 0;
        var timer = Stopwatch.StartNew();
        for (var i = 0; i < lookups; i++)
            if (table.Match(hosts[i & 1023], "/some/path") is not null) found++;
        var perLookup = timer.Elapsed.TotalNanoseconds / lookups;

        Console.WriteLine($"registry: {instances:N0} instances, {services:N0} services, {environments} environments: " +
                          $"{table.Routes.Length:N0} routes, {table.Clusters.Count:N0} clusters");
        Console.WriteLine(Common.Percentiles.Describe("build (ms)", builds));
        Console.WriteLine($"allocated: {allocated / 1024.0 / 1024.0:F1} MiB per build");
        Console.WriteLine($"match: {perLookup:F0} ns per lookup ({found:N0} of {lookups:N0} found)");
        return Task.CompletedTask;
    }

    private static RegistryState Build(int instances, int services, int environments)
    {
        var at = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, instances).Select(i =>
        {
            var service = $"svc-{i % services}";
            var env = i % environments == 0 ? "integration" : $"env-{i % environments}";
            var e = new InstanceRegistered(
                $"bench:{i}", service, env, $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", 8080, [],
                ImmutableSortedDictionary<string, string>.Empty, [new RouteSpec($"{service}.example.test")], null, "bench", "node-1", []);
            return new RecordedEvent(i + 1, StreamName.ForInstance(e.InstanceId), 0, EventTypes.NameOf(e), e, EventMetadata.Empty, at);
        });
        return RegistryProjection.Fold(events);
    }
}
