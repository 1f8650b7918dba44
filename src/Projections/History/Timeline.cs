using System.Collections.Immutable;
using Mesh.Projections.State;
using Mesh.Registry.Store;

namespace Mesh.Projections.History;

/// <summary>
/// The events of one service or one instance, oldest first. <see cref="Name"/> is a service name or an instance id;
/// <see cref="Position"/> is the last position read. Built by <see cref="Of"/> / <see cref="OfAsync"/>, which fold the
/// log as they go, because health, maintenance and deregistration events name only the instance: each is attributed
/// to the service the instance was registered in at the time.
/// <list type="bullet">
/// <item>An instance event is listed for its instance id, and for the service it was about: the one it was registered
/// in then, or registered into. A re-registration into another service is listed for both; what the instance does
/// afterwards, for the new one only.</item>
/// <item><c>ObservationRejected</c> names an instance: it is listed for it and its service at the time, if any.</item>
/// <item>Events about no instance name no service either; they are listed where they concern one:
/// <c>EnvironmentDefined</c> when it changes which environment answers for the service in some environment;
/// <c>SourceReconciled</c> when the source and node had registered one of its instances; <c>NginxConfigApplied</c> /
/// <c>NginxConfigRejected</c> when the configuration was the first of that target rendered after one of its
/// changes (what took it live, or failed to). <c>SourceFactRecorded</c> is never listed: its payload is the source's.</item>
/// </list>
/// </summary>
public sealed record Timeline(string Name, long Position, ImmutableArray<TimelineEntry> Entries)
{
    /// <param name="events">The log from <paramref name="from"/>'s position on, in order.</param>
    /// <param name="name">A service name or an instance id.</param>
    /// <param name="from">The state the events follow (a snapshot); the empty registry when null.</param>
    public static Timeline Of(IEnumerable<RecordedEvent> events, string name, RegistryState? from = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = new TimelineBuilder(name, from ?? RegistryState.Empty);
        foreach (var e in events) builder.Add(e);
        return builder.Build();
    }

    /// <summary><see cref="Of"/> over an asynchronous sequence, e.g. a read of $all.</summary>
    public static async Task<Timeline> OfAsync(IAsyncEnumerable<RecordedEvent> events, string name, RegistryState? from = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = new TimelineBuilder(name, from ?? RegistryState.Empty);
        await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            builder.Add(e);
        }
        return builder.Build();
    }
}
