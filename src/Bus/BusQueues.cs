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

    internal static Uri ObservationsAddress { get; } = new($"queue:{Observations}");

    internal static Uri RequestsAddress { get; } = new($"queue:{Requests}");
}
