using System.Collections.Immutable;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Nginx.Tests;

/// <summary>Registrations and states shared by the nginx tests.</summary>
internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly CheckSpec Check = new(
        "http", "HTTP", CheckKind.Http, "http://x/health", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), null, HealthStatus.Passing);

    public static InstanceRegistered Registered(
        string id, string service, string address = "10.0.0.1", int port = 8080, string env = "integration",
        RouteSpec[]? routes = null, params (string Key, string Value)[] meta) => new(
        id, service, env, address, port, [],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, meta.Select(m => KeyValuePair.Create(m.Key, m.Value))),
        [.. routes ?? []], null, "api", "node-1", [Check with { CheckId = $"{id}-http" }]);

    public static InstanceHealthChanged Critical(string id) => new(id, $"{id}-http", HealthStatus.Critical, "refused");

    public static RegistryState Fold(params IEvent[] events) =>
        RegistryProjection.Fold(events.Select((e, i) => new RecordedEvent(
            i + 1,
            e is IInstanceEvent ie ? StreamName.ForInstance(ie.InstanceId) : new StreamName("env-x"),
            0, EventTypes.NameOf(e), e, EventMetadata.Empty, T0.AddSeconds(i))));
}
