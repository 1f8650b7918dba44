using System.Collections.Immutable;
using Mesh.Registry.Instances;

namespace Mesh.Projections.State;

/// <summary>
/// The live registry as of <see cref="Position"/>: an immutable value, replaced whole on every event.
/// <list type="bullet">
/// <item><see cref="Instances"/>: registered instances only, by instance id.</item>
/// <item><see cref="Services"/>: service → instance ids and the last position that touched them.</item>
/// <item><see cref="Environments"/>: environments defined explicitly → their fallback environment.</item>
/// <item><see cref="CheckOwners"/>: check id → instance id, for TTL check updates.</item>
/// <item><see cref="CatalogPosition"/>: last event that registered, re-registered or deregistered anything.</item>
/// <item><see cref="HealthPosition"/>: last event that changed any instance at all.</item>
/// </list>
/// </summary>
public sealed record RegistryState(
    long Position,
    ImmutableSortedDictionary<string, InstanceState> Instances,
    ImmutableSortedDictionary<string, ServiceEntry> Services,
    ImmutableSortedDictionary<string, string> Environments,
    ImmutableSortedDictionary<string, string> CheckOwners,
    long CatalogPosition,
    long HealthPosition)
{
    public static readonly RegistryState Empty = new(
        0,
        ImmutableSortedDictionary<string, InstanceState>.Empty,
        ImmutableSortedDictionary<string, ServiceEntry>.Empty,
        ImmutableSortedDictionary<string, string>.Empty,
        ImmutableSortedDictionary<string, string>.Empty,
        0,
        0);

    /// <summary>The registered instances of <paramref name="service"/>, in instance id order.</summary>
    public IEnumerable<InstanceState> InstancesOf(string service) =>
        Services.TryGetValue(service, out var entry)
            ? entry.InstanceIds.Select(id => Instances[id])
            : [];

    /// <summary>
    /// Whether <paramref name="other"/> holds the same instances, services and environments as this state: true when
    /// only events that change none of them (nginx audit records, source facts and reconcile summaries, rejections)
    /// came between the two. Consumers that build a view of the registry (routes, DNS zones, nginx configs) keep the
    /// one they have instead of building it again. Compared by reference, as folding leaves an untouched map as it
    /// was: cheap, and never true for states that differ (false may still mean equal, e.g. after a snapshot decode).
    /// </summary>
    public bool HasSameRegistryAs(RegistryState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(Instances, other.Instances)
            && ReferenceEquals(Services, other.Services)
            && ReferenceEquals(Environments, other.Environments);
    }

    /// <summary>The position of the last event that changed <paramref name="service"/>'s instances (0: never seen).</summary>
    public long ServicePosition(string service) => Services.TryGetValue(service, out var entry) ? entry.ModifyPosition : 0;
}
