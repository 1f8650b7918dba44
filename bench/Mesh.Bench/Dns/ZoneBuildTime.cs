using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Bench.Dns;

/// <summary>
/// What one registry change costs the DNS server before it answers by it: building the <see cref="ZoneView"/> of N
/// instances across M services and E environments. Also times a cache miss: answering a question from the view and
/// encoding the response (what the first query for a name after each change costs).
/// </summary>
internal static class ZoneBuildTime
{
    public static Task RunAsync(int instances, int services, int environments, int runs)
    {
        var state = Build(instances, services, environments);
        var settings = ZoneSettings.Of("mesh", "test.mesh", 5, [IPAddress.Loopback], [IPAddress.Loopback]);
        ZoneView.Of(state, settings); // warm-up
        var builds = new List<double>(runs);
        var zone = ZoneView.Of(state, settings);
        for (var run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            zone = ZoneView.Of(state, settings);
            builds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        const int misses = 100_000;
        var names = Enumerable.Range(0, 1024).Select(i => new DomainName([$"svc-{i % services}", "service", "mesh"])).ToArray();
        var wire = names.Select(ResponseWriter.WireName).ToArray();
        var query = new WireQuery(1, 0, true, 0, 0, 1, 1, false, 0, false);
        var bytes = 0L;
        var timer = Stopwatch.StartNew();
        for (var i = 0; i < misses; i++)
        {
            var answer = zone.Answer(names[i & 1023], RecordType.A, $"env-{i % environments}");
            bytes += ResponseWriter.Answer(wire[i & 1023], 1, answer, query, 1232, 512).Bytes.Length;
        }
        var perMiss = timer.Elapsed.TotalNanoseconds / misses;

        Console.WriteLine($"registry: {instances:N0} instances, {services:N0} services, {environments} environments");
        Console.WriteLine(Common.Percentiles.Describe("zone view build (ms)", builds));
        Console.WriteLine($"cache miss (answer + encode): {perMiss / 1000:F1} µs per query ({bytes / misses} bytes per response)");
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
                ImmutableSortedDictionary<string, string>.Empty, [], null, "bench", $"node-{i % 50}", []);
            return new RecordedEvent(i + 1, StreamName.ForInstance(e.InstanceId), 0, EventTypes.NameOf(e), e, EventMetadata.Empty, at);
        });
        return RegistryProjection.Fold(events);
    }
}
