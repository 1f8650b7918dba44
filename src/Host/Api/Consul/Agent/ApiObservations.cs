using Mesh.Projections.Feed;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// Sends the API's observations to the registry, then waits (bounded) until the feed has folded what was appended,
/// so that a client that reads right after its write sees it, as it would on a Consul agent.
/// </summary>
internal sealed class ApiObservations(IObservationHandler registry, RegistryFeed feed, TimeProvider clock)
{
    private static readonly TimeSpan ReadYourWrite = TimeSpan.FromSeconds(5);

    public async Task<ObservationResult> SendAsync(Observation observation, CancellationToken ct)
    {
        var result = await registry.HandleAsync(observation, ct);
        // Past the bound the write still stands (it is durable); the read merely may not show it yet.
        if (result.Position > 0 && feed.Current.Position < result.Position)
            await feed.WaitForNewerAsync(result.Position - 1, ReadYourWrite, ct);
        return result;
    }

    /// <summary>How this request reached the log: when, which request, and (for registrations) the body as sent.</summary>
    public EventMetadata Metadata(HttpContext http, string? rawPayload = null) =>
        new(SourceTime: clock.GetUtcNow(), CorrelationId: http.TraceIdentifier, SourceFactId: $"api:{http.TraceIdentifier}", RawPayload: rawPayload);
}
