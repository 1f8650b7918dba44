using System.Collections.Immutable;
using System.Diagnostics;
using Mesh.Nginx.Configuration;
using Mesh.Nginx.Model;
using Mesh.Nginx.Rendering;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Bench.Nginx;

/// <summary>
/// Render time of one nginx target (model + built-in template) for a registry of N instances across M services,
/// all in integration, each with a host route, in both modes.
/// </summary>
internal static class NginxRenderTime
{
    public static Task RunAsync(int instances, int services, int runs)
    {
        var state = Build(instances, services);
        Console.WriteLine($"registry: {instances:N0} instances, {services:N0} services (position {state.Position:N0})");
        foreach (var mode in new[] { NginxTargetOptions.UpstreamsMode, NginxTargetOptions.FullMode })
        {
            var options = new NginxTargetOptions { OutputPath = "/tmp/mesh-bench/nginx.conf", Mode = mode };
            // Warm-up: JIT and Fluid's member accessors.
            NginxTemplate.BuiltIn.Render(NginxModel.From(state, "bench", options));
            var model = new List<double>();
            var total = new List<double>();
            var bytes = 0;
            for (var run = 0; run < runs; run++)
            {
                var sw = Stopwatch.StartNew();
                var m = NginxModel.From(state, "bench", options);
                model.Add(sw.Elapsed.TotalMilliseconds);
                bytes = NginxTemplate.BuiltIn.Render(m).Length;
                total.Add(sw.Elapsed.TotalMilliseconds);
            }
            model.Sort();
            total.Sort();
            Console.WriteLine(
                $"{mode,-9}: model p50 {model[runs / 2]:F1} ms, model + template p50 {total[runs / 2]:F1} ms " +
                $"(min {total[0]:F1}, max {total[^1]:F1}), {bytes:N0} chars");
        }
        return Task.CompletedTask;
    }

    private static RegistryState Build(int instances, int services)
    {
        var at = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, instances).Select(i =>
        {
            var service = $"svc-{i % services}";
            var e = new InstanceRegistered(
                $"bench:{i}", service, "integration", $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", 8080, [],
                ImmutableSortedDictionary<string, string>.Empty, [new RouteSpec($"{service}.example.test")], null, "bench", "node-1", []);
            return new RecordedEvent(i + 1, StreamName.ForInstance(e.InstanceId), 0, EventTypes.NameOf(e), e, EventMetadata.Empty, at);
        });
        return RegistryProjection.Fold(events);
    }
}
