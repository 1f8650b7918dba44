using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Bench.Workloads;

/// <summary>
/// Registry traffic as a busy cluster makes it: every instance registers, then a random mix of check transitions
/// (most of it), re-registrations with a new version, maintenance, deregistrations and returns. Events come from
/// the real decider and state, so the log is one the registry could have written. Deterministic for a seed.
/// </summary>
internal sealed class RegistryWorkload(int instances, int services, int seed = 42)
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public int Instances { get; } = instances;

    public IEnumerable<IInstanceEvent> Events(long count)
    {
        var rng = new Random(seed);
        var states = new InstanceState[Instances];
        var versions = new int[Instances];
        for (var i = 0; i < Instances; i++) states[i] = InstanceState.Empty(IdOf(i));

        long produced = 0, position = 0;
        for (var i = 0; i < Instances && produced < count; i++)
        {
            foreach (var e in Decide(i, Seen(i, 0)))
            {
                yield return e;
                if (++produced == count) yield break;
            }
        }
        while (produced < count)
        {
            var i = rng.Next(Instances);
            var state = states[i];
            var roll = rng.NextDouble();
            Observation observation = !state.IsRegistered ? Seen(i, versions[i])
                : roll < 0.82 ? new CheckReported(state.InstanceId, "health", CheckIdOf(i), (HealthStatus)rng.Next(3), Output(rng))
                : roll < 0.90 ? Seen(i, ++versions[i])
                : roll < 0.95 ? new MaintenanceRequested(state.InstanceId, "api", !state.InMaintenance, "deploy")
                : new InstanceGone(state.InstanceId, "docker", rng.Next(2) == 0 ? "die" : "expired");
            foreach (var e in Decide(i, observation))
            {
                yield return e;
                if (++produced == count) yield break;
            }
        }

        IEnumerable<IInstanceEvent> Decide(int i, Observation observation)
        {
            var decision = InstanceDecider.Decide(states[i], observation);
            foreach (var e in decision.Events)
            {
                states[i] = states[i].Apply(e, ++position, Epoch.AddMilliseconds(position));
                yield return e;
            }
        }
    }

    private InstanceSeen Seen(int i, int version)
    {
        var service = $"svc-{i % services:D3}";
        return new InstanceSeen(
            IdOf(i), "docker", service, i % 10 == 0 ? "feature-x" : "integration",
            $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", 8080,
            ["http", $"v{version}"],
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                KeyValuePair.Create("mesh-version", $"1.{version}.0"),
                KeyValuePair.Create("team", $"team-{i % 17}"),
            ]),
            [new RouteSpec($"{service}.example.test")],
            $"1.{version}.0", $"node-{i % 40}",
            [new CheckSpec(CheckIdOf(i), "HTTP /health", CheckKind.Http, $"http://10.0.0.1:8080/health",
                TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10), HealthStatus.Critical)]);
    }

    private static string IdOf(int i) => $"docker:{i:x12}";

    private static string CheckIdOf(int i) => $"service:{i:x12}";

    private static string Output(Random rng) => rng.Next(3) switch
    {
        0 => "HTTP GET http://10.0.0.1:8080/health: 200 OK Output: ok",
        1 => "HTTP GET http://10.0.0.1:8080/health: 503 Service Unavailable",
        _ => "dial tcp 10.0.0.1:8080: connect: connection refused",
    };
}
