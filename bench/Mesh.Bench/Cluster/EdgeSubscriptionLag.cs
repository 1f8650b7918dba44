using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Mesh.Bench.Common;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;

namespace Mesh.Bench.Cluster;

/// <summary>
/// <c>edge-lag</c>: how far an edge's projection trails the shared log under a steady write rate. A private
/// PostgreSQL and RabbitMQ, one <c>registry</c> and one <c>edge</c> process; <c>instances</c> instances (one
/// source-reported check each, which nothing probes) plus one <c>probe</c> instance are appended straight into the
/// store before they start. Then this process appends health changes (single-event appends, each a real change) at
/// <c>rate</c>/s straight into PostgreSQL with <see cref="PostgresEventStore"/> — the store→edge path, no API or bus
/// in front — for a warm-up and then <c>seconds</c> measured seconds, and meanwhile
/// <list type="bullet">
/// <item>samples the edge's <c>/v1/mesh/status</c> every <c>sampleMs</c>: <c>StoreHead − Position</c> (the projection's
/// lag in events) and the gateway's lag; and, per appended event, the time from its append returning to the first
/// sample whose <c>Position</c> has passed it (so it is rounded up to the sampling interval);</item>
/// <item>every <c>probeEvery</c>-th event is a health change of the probe instance, watched by a blocking query on the
/// edge (<c>GET /v1/health/checks/probe?index=…</c>): the time from append to the edge answering with it, without
/// the sampling's rounding (it includes the blocking query's wake-up and HTTP, ~0.5 ms).</item>
/// </list>
/// </summary>
internal static class EdgeSubscriptionLag
{
    private const string ProbeService = "probe";
    private const string CheckId = "bench:health";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);

    private sealed record Sample(long Sent, long Received, long Head, long Position, long Lag, long? GatewayLag);

    public static async Task RunAsync(int rate, int seconds, int instances, int probeEvery, int sampleMs, CancellationToken ct)
    {
        Console.WriteLine($"edge-lag: {rate:N0} health changes/s appended straight into PostgreSQL for {Warmup.TotalSeconds:N0} s warm-up + {seconds} s, " +
                          $"{instances:N0} instances + 1 probe (every {probeEvery}th event), /v1/mesh/status sampled every {sampleMs} ms");
        Console.WriteLine("starting PostgreSQL and RabbitMQ ...");
        await using var cluster = await BenchCluster.StartAsync();
        await using var store = await cluster.OpenStoreAsync(ct);

        var ids = Enumerable.Range(0, instances).Select(i => $"bench:lag-{i:D5}").ToArray();
        var probeId = "bench:probe-1";
        await Task.WhenAll(ids.Select((id, i) => store.AppendAsync(StreamName.ForInstance(id), ExpectedVersion.NoStream, [new EventData(Registration(id, $"lag-{i % 50:D2}", 20_000 + i))]))
            .Append(store.AppendAsync(StreamName.ForInstance(probeId), ExpectedVersion.NoStream, [new EventData(Registration(probeId, ProbeService, 19_999))])));
        var registered = await store.ReadHeadPositionAsync(ct);

        Console.WriteLine("starting registry and edge ...");
        await cluster.StartMeshAsync("registry", ct);
        var edge = await cluster.StartMeshAsync("edge", ct);
        await cluster.WaitForPositionAsync(edge, registered, ct);

        using var client = new HttpClient { BaseAddress = edge.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var samples = new List<Sample>();
        var wakes = new List<(long Index, long At)>();
        var sampler = SampleAsync(client, sampleMs, samples, stop.Token);
        var prober = ProbeAsync(client, wakes, stop.Token);

        // The appender: event k is due at k/rate seconds; single-event appends, not awaited one by one, so the store's
        // writer batches whatever is queued when it commits, as it does for concurrent callers in production.
        var total = (int)((Warmup.TotalSeconds + seconds) * rate);
        var warmupEvents = (int)(Warmup.TotalSeconds * rate);
        var called = new long[total];
        var returned = new long[total];
        var positions = new long[total];
        var isProbe = new bool[total];
        var statuses = new HealthStatus[instances + 1];
        var appends = new List<Task>(total);
        long measuredFrom = 0, measuredTo;
        try
        {
            var clock = Stopwatch.StartNew();
            var nextInstance = 0;
            for (var k = 0; k < total;)
            {
                ct.ThrowIfCancellationRequested();
                var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
                for (; k < due; k++)
                {
                    if (k == warmupEvents) measuredFrom = Stopwatch.GetTimestamp();
                    var probe = k % probeEvery == 0;
                    var slot = probe ? instances : nextInstance++ % instances;
                    var id = probe ? probeId : ids[slot];
                    var status = statuses[slot] = statuses[slot] == HealthStatus.Passing ? HealthStatus.Critical : HealthStatus.Passing;
                    isProbe[k] = probe;
                    appends.Add(AppendAsync(store, id, status, k, called, returned, positions));
                }
                await Task.Delay(1, ct);
            }
            await Task.WhenAll(appends);
            measuredTo = Stopwatch.GetTimestamp();
            // Let the edge and the samples catch up with the last events, then stop watching.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(sampler, prober);
        }
        var achieved = (total - warmupEvents) / Stopwatch.GetElapsedTime(measuredFrom, measuredTo).TotalSeconds;

        var window = samples.Where(s => s.Sent >= measuredFrom && s.Sent <= measuredTo).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"appended {total - warmupEvents:N0} events in the measured window at {achieved:N0} events/s ({Stopwatch.GetElapsedTime(called[0], measuredTo).TotalSeconds:N1} s with warm-up); {window.Count} status samples"));
        var appendMs = Enumerable.Range(warmupEvents, total - warmupEvents).Select(k => Ms(called[k], returned[k])).ToList();
        Console.WriteLine(Percentiles.Describe("append (ms)", appendMs));
        Console.WriteLine("lag in events (StoreHead - Position at each sample):");
        Console.WriteLine(Percentiles.Describe("projection", window.Select(s => (double)s.Lag).ToList()));
        if (window.Count > 0 && window.All(s => s.GatewayLag is not null))
            Console.WriteLine(Percentiles.Describe("gateway", window.Select(s => (double)s.GatewayLag!.Value).ToList()));

        // Per event: the first sample whose Position has passed it; its answer is when the edge was seen serving it.
        var sampled = new List<double>();
        var unseen = 0;
        for (var k = warmupEvents; k < total; k++)
        {
            var first = FirstAtOrPast(samples, positions[k]);
            if (first is null) unseen++;
            else sampled.Add(Math.Max(0, Ms(returned[k], first.Received)));
        }
        Console.WriteLine($"append returned -> edge Position past it (ms), every event, status sampled every {sampleMs} ms (rounded up to a sample){(unseen > 0 ? $"; {unseen} never seen" : "")}:");
        Console.WriteLine(Percentiles.Describe("sampled", sampled));

        // Probe events: the first blocking-query answer whose index has reached them.
        var fromReturn = new List<double>();
        var fromCall = new List<double>();
        var early = 0;
        for (var k = warmupEvents; k < total; k++)
        {
            if (!isProbe[k]) continue;
            var wake = wakes.FirstOrDefault(w => w.Index >= positions[k]);
            if (wake.At == 0) continue;
            var ms = Ms(returned[k], wake.At);
            if (ms < 0) early++;
            fromReturn.Add(Math.Max(0, ms));
            fromCall.Add(Ms(called[k], wake.At));
        }
        Console.WriteLine($"append returned / called -> the edge answering a blocking query with it (ms): probe events, {fromReturn.Count} events" +
                          $"{(early > 0 ? $"; {early} answered before this process saw its append return (counted as 0)" : "")}:");
        Console.WriteLine(Percentiles.Describe("returned -> read", fromReturn));
        Console.WriteLine(Percentiles.Describe("called -> read", fromCall));
    }

    private static InstanceRegistered Registration(string id, string service, int port) => new(
        id, service, "integration", "127.0.0.1", port, [], ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), [],
        null, "bench", "bench-node",
        [new CheckSpec(CheckId, "bench health", CheckKind.Source, "", TimeSpan.FromSeconds(10), TimeSpan.Zero, null, HealthStatus.Passing)]);

    private static async Task AppendAsync(PostgresEventStore store, string id, HealthStatus status, int k, long[] called, long[] returned, long[] positions)
    {
        called[k] = Stopwatch.GetTimestamp();
        var result = await store.AppendAsync(StreamName.ForInstance(id), ExpectedVersion.Any,
            [new EventData(new InstanceHealthChanged(id, CheckId, status, status == HealthStatus.Passing ? "ok" : "failing"))]);
        returned[k] = Stopwatch.GetTimestamp();
        positions[k] = result.Position;
    }

    private static async Task SampleAsync(HttpClient client, int sampleMs, List<Sample> samples, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(sampleMs));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var sent = Stopwatch.GetTimestamp();
                var status = await BenchCluster.StatusAsync(client, ct);
                var received = Stopwatch.GetTimestamp();
                samples.Add(new Sample(sent, received, (long)status["StoreHead"]!, (long)status["Position"]!, (long)status["Lag"]!,
                    (long?)status["Consumers"]?["gateway"]?["Lag"]));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task ProbeAsync(HttpClient client, List<(long Index, long At)> wakes, CancellationToken ct)
    {
        long index = 0;
        try
        {
            while (true)
            {
                using var response = await client.GetAsync($"/v1/health/checks/{ProbeService}?index={index}&wait=10s", ct);
                var at = Stopwatch.GetTimestamp();
                response.EnsureSuccessStatusCode();
                var next = long.Parse(response.Headers.GetValues("X-Consul-Index").First(), CultureInfo.InvariantCulture);
                if (next != index) wakes.Add((next, at));
                index = next;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The first sample whose Position is at or past <paramref name="position"/>; Position only grows, so the samples are sorted by it.</summary>
    private static Sample? FirstAtOrPast(List<Sample> samples, long position)
    {
        int lo = 0, hi = samples.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (samples[mid].Position >= position) hi = mid;
            else lo = mid + 1;
        }
        return lo < samples.Count ? samples[lo] : null;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
