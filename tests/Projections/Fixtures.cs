using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Projections.Tests;

/// <summary>Events, observations and comparisons shared by the projection tests.</summary>
internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly CheckSpec HttpCheck = new(
        "web-http", "HTTP /health", CheckKind.Http, "http://10.0.0.7:8080/health",
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), HealthStatus.Critical);

    public static readonly CheckSpec TcpCheck = new(
        "web-tcp", "TCP 8080", CheckKind.Tcp, "10.0.0.7:8080", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), null, HealthStatus.Passing);

    public static InstanceRegistered Registered(string id, string service = "web", params CheckSpec[] checks) => new(
        id, service, "integration", "10.0.0.7", 8080, ["v1"],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("mesh-version", "1.0.0")]),
        [new RouteSpec($"{service}.example.test", "/", StripPrefix: false)], "1.0.0", "docker", "node-1",
        checks.Length == 0 ? [HttpCheck with { CheckId = $"{id}-http" }, TcpCheck with { CheckId = $"{id}-tcp" }] : [.. checks]);

    public static RecordedEvent Recorded(long position, IEvent e) => new(
        position,
        e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x"),
        0, EventTypes.NameOf(e), e, EventMetadata.Empty, T0.AddSeconds(position));

    public static RegistryState Fold(params IEvent[] events) =>
        RegistryProjection.Fold(events.Select((e, i) => Recorded(i + 1, e)));

    /// <summary>The state as JSON: two states are the same registry exactly when these are equal.</summary>
    public static string Json(RegistryState state) => JsonSerializer.Serialize(state, EventSerializer.Options);

    public static InstanceSeen Seen(string id, string service, int port = 8080) => new(
        id, "docker", service, "integration", "10.0.0.7", port, ["v1"],
        ImmutableSortedDictionary<string, string>.Empty, [], "1.0.0", "node-1",
        [HttpCheck with { CheckId = $"{id}-http" }]);

    /// <summary>
    /// A random but reproducible stream of observations over <paramref name="instances"/> instances and
    /// <paramref name="services"/> services: registrations (some moving service or port), check reports,
    /// maintenance, departures and the odd invalid registration.
    /// </summary>
    public static IEnumerable<Observation> RandomObservations(int seed, int count, int instances, int services)
    {
        var rng = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var i = rng.Next(instances);
            var id = $"docker:{seed}-{i}";
            yield return rng.Next(20) switch
            {
                < 5 => Seen(id, $"svc-{rng.Next(services)}", 8080 + rng.Next(2)),
                5 => Seen(id, "Not_A_Label"),
                6 or 7 => new InstanceGone(id, "docker", "die"),
                8 => new MaintenanceRequested(id, "api", rng.Next(2) == 0, "deploy"),
                _ => new CheckReported(id, "health", $"{id}-http", (HealthStatus)rng.Next(3), rng.Next(2) == 0 ? "ok" : "refused"),
            };
        }
    }
}
