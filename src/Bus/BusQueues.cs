namespace Mesh.Bus;

/// <summary>
/// The queue names: stable, operators and dashboards script against them. MassTransit adds <c>{queue}_error</c>
/// (messages that failed every attempt) and <c>{queue}_skipped</c> (messages no consumer understood).
/// </summary>
public static class BusQueues
{
    /// <summary>Observations from agents, fire-and-forget; they wait here, durable, while no registry runs.</summary>
    public const string Observations = "mesh-observations";

    /// <summary>Requests from edges, each answered once the registry decided it; they expire after the edge's timeout.</summary>
    public const string Requests = "mesh-registry-requests";

    /// <summary>
    /// The tag in the name of each registry's own TTL beat queue (<c>{host}_{process}_mesh-ttl-beats_{id}</c>,
    /// auto-deleted), bound to the <c>Mesh.Bus.Contracts:TtlBeat</c> fanout exchange that edges and registries publish to.
    /// </summary>
    public const string TtlBeatsTag = "mesh-ttl-beats";

    internal static Uri ObservationsAddress { get; } = new($"queue:{Observations}");

    internal static Uri RequestsAddress { get; } = new($"queue:{Requests}");
}
