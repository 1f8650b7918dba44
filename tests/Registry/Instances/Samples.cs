using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Tests.Instances;

/// <summary>A valid instance and its observations, to vary with <c>with</c>.</summary>
internal static class Samples
{
    public const string Id = "docker:3f2a9c";
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly CheckSpec HttpCheck = new(
        "web-http", "HTTP /health", CheckKind.Http, "http://10.0.0.7:8080/health",
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), HealthStatus.Critical);

    public static readonly CheckSpec TcpCheck = new(
        "web-tcp", "TCP 8080", CheckKind.Tcp, "10.0.0.7:8080",
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), null, HealthStatus.Passing);

    public static InstanceSeen Seen(string id = Id) => new(
        id, "docker", "web", "integration", "10.0.0.7", 8080,
        ["v1", "http"],
        Meta(("mesh-version", "1.0.0"), ("team", "edge")),
        [new RouteSpec("web.example.test")],
        "1.0.0", "node-1",
        [HttpCheck, TcpCheck]);

    public static ImmutableSortedDictionary<string, string> Meta(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Decides <paramref name="observation"/> on <paramref name="state"/> and folds what it yields, as the registry would.</summary>
    public static InstanceState After(this InstanceState state, Observation observation, DateTimeOffset? at = null)
    {
        var decision = InstanceDecider.Decide(state, observation);
        var position = Math.Max(state.ModifyPosition, 0);
        return decision.Events.Aggregate(state, (s, e) => s.Apply(e, ++position, at ?? T0.AddSeconds(position)));
    }

    public static InstanceState Empty(string id = Id) => InstanceState.Empty(id);

    public static InstanceState Registered(InstanceSeen? seen = null) => Empty(seen?.InstanceId ?? Id).After(seen ?? Seen());
}
