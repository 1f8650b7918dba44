using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Bus.Tests.Support;

/// <summary>Valid observations to vary, and reading back what the registry appended.</summary>
internal static class Samples
{
    public static readonly CheckSpec HttpCheck = new(
        "web-http", "HTTP /health", CheckKind.Http, "http://10.0.0.7:8080/health",
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), HealthStatus.Critical);

    public static InstanceSeen Seen(string id, string service = "web", int port = 8080) => new(
        id, "docker", service, "integration", "10.0.0.7", port,
        ["v1", "http"],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("team", "edge")]),
        [new RouteSpec("web.example.test", "/api", StripPrefix: true, Timeout: TimeSpan.FromSeconds(5))],
        "1.0.0", "node-1",
        [HttpCheck]);

    public static EventMetadata Metadata(string factId) => new(
        new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.FromHours(2)), "corr-" + factId, factId, $"{{\"raw\":\"{factId}\"}}");

    public static async Task<List<RecordedEvent>> StreamAsync(IEventReader store, string instanceId, CancellationToken ct) =>
        await store.ReadStreamAsync(StreamName.ForInstance(instanceId), 0, ct).ToListAsync(ct);
}
