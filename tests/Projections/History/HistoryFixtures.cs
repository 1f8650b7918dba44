using System.Collections.Immutable;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.History;

/// <summary>A scripted incident, the states along it, and random logs for the history tests.</summary>
internal static class HistoryFixtures
{
    public const string Web1 = "docker:web-1";
    public const string Web2 = "docker:web-2";
    public const string Db1 = "docker:db-1";

    public static CheckSpec Ttl(string id) => new(
        $"{id[(id.IndexOf(':') + 1)..]}-ttl", "TTL", CheckKind.Ttl, "", TimeSpan.FromSeconds(30), TimeSpan.Zero, null, HealthStatus.Passing);

    public static InstanceRegistered Instance(string id, string service, string address, int port, params RouteSpec[] routes) => new(
        id, service, "integration", address, port, ["v1"], ImmutableSortedDictionary<string, string>.Empty,
        [.. routes], "1.0.0", "docker", "node-1", [Ttl(id)]);

    /// <summary>
    /// web-1, web-2 and db-1 start; web-2 degrades to critical (and a bad re-registration of it is rejected); web-1
    /// dies and comes back on another port, then gains a route label; db-1 goes into maintenance; a reconcile and
    /// an nginx reload follow. Position n is event n.
    /// </summary>
    public static readonly ImmutableArray<RecordedEvent> Incident =
    [
        .. new IEvent[]
        {
            /* 1 */ Instance(Web1, "web", "10.0.0.1", 8080),
            /* 2 */ Instance(Web2, "web", "10.0.0.2", 8080),
            /* 3 */ Instance(Db1, "db", "10.0.0.3", 5432),
            /* 4 */ new InstanceHealthChanged(Web2, "web-2-ttl", HealthStatus.Warning, "slow: 900 ms"),
            /* 5 */ new InstanceHealthChanged(Web2, "web-2-ttl", HealthStatus.Critical, "connection refused"),
            /* 6 */ new ObservationRejected(Web2, "docker", "port 70000 is outside 0-65535", """{"Id":"web-2"}"""),
            /* 7 */ new InstanceDeregistered(Web1, "exit 137"),
            /* 8 */ Instance(Web1, "web", "10.0.0.1", 9090),
            /* 9 */ new InstanceMaintenanceChanged(Db1, true, "kernel upgrade"),
            /* 10 */ Instance(Web1, "web", "10.0.0.1", 9090, new RouteSpec("shop.example.com")),
            /* 11 */ new SourceReconciled("docker", "node-1", "periodic", 3, 1, 0, 1),
            /* 12 */ new NginxConfigApplied("edge", "3f2a9c1b7d4e5f60718293a4b5c6d7e8", 11, "/etc/nginx/conf.d/mesh.conf"),
        }.Select((e, i) => WithFacts(i + 1, e)),
    ];

    /// <summary>An event as the store would hand it back, with the source's facts: its time half a second earlier.</summary>
    public static RecordedEvent WithFacts(long position, IEvent e) => Recorded(position, e) with
    {
        Stream = e switch
        {
            IInstanceEvent ie => StreamName.ForInstance(ie.InstanceId),
            SourceReconciled s => StreamName.ForSource(s.Source, s.Node),
            NginxConfigApplied n => StreamName.ForNginx(n.Target),
            NginxConfigRejected n => StreamName.ForNginx(n.Target),
            EnvironmentDefined d => StreamName.ForEnvironment(d.Name),
            _ => new StreamName("other"),
        },
        Metadata = new EventMetadata(T0.AddSeconds(position - 0.5), $"corr-{position}", $"fact-{position}", null),
    };

    public static ImmutableArray<RecordedEvent> Log(params IEvent[] events) => [.. events.Select((e, i) => WithFacts(i + 1, e))];

    /// <summary>The state after the first <paramref name="position"/> events of <paramref name="log"/>.</summary>
    public static RegistryState StateAt(IEnumerable<RecordedEvent> log, long position) =>
        RegistryProjection.Fold(log.TakeWhile(e => e.Position <= position));

    /// <summary>The state after each prefix of <paramref name="log"/>: element n is the state at position n.</summary>
    public static ImmutableArray<RegistryState> States(IEnumerable<RecordedEvent> log)
    {
        var states = ImmutableArray.CreateBuilder<RegistryState>();
        var state = RegistryState.Empty;
        states.Add(state);
        foreach (var e in log) states.Add(state = RegistryProjection.Apply(state, e));
        return states.ToImmutable();
    }

    /// <summary>
    /// A reproducible log over a few instances, services and environments: (re-)registrations moving service, env,
    /// address, port, tags, version and routes (some claiming the same host), health and maintenance (also of
    /// instances not registered), departures, environment definitions, rejections.
    /// </summary>
    public static ImmutableArray<RecordedEvent> RandomLog(int seed, int count)
    {
        var rng = new Random(seed);
        string[] envs = ["integration", "feature-x", "staging"];
        var events = new List<IEvent>(count);
        for (var n = 0; n < count; n++)
        {
            var id = $"docker:i{rng.Next(8)}";
            var check = $"{id[(id.IndexOf(':') + 1)..]}-ttl";
            events.Add(rng.Next(14) switch
            {
                < 5 => new InstanceRegistered(
                    id, $"svc-{rng.Next(3)}", envs[rng.Next(envs.Length)], $"10.0.0.{rng.Next(3)}", 8080 + rng.Next(2),
                    rng.Next(2) == 0 ? ["v1"] : ["v1", "canary"], ImmutableSortedDictionary<string, string>.Empty,
                    rng.Next(3) == 0 ? [new RouteSpec("shop.example.com", rng.Next(2) == 0 ? "/" : "/api")] : [],
                    rng.Next(2) == 0 ? "1.0.0" : "1.1.0", "docker", $"node-{rng.Next(2)}",
                    [Ttl(id) with { InitialStatus = (HealthStatus)rng.Next(3) }]),
                5 or 6 or 7 => new InstanceHealthChanged(id, check, (HealthStatus)rng.Next(3), rng.Next(2) == 0 ? "ok" : "refused"),
                8 => new InstanceMaintenanceChanged(id, rng.Next(2) == 0, "deploy"),
                9 or 10 => new InstanceDeregistered(id, "die"),
                11 => new EnvironmentDefined("feature-x", rng.Next(2) == 0 ? "integration" : "staging"),
                12 => new ObservationRejected(id, "docker", "bad label", "{}"),
                _ => new SourceReconciled("docker", $"node-{rng.Next(2)}", "periodic", 3, 1, 1, 0),
            });
        }
        return Log([.. events]);
    }
}
