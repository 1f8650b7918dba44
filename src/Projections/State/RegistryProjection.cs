using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Projections.State;

/// <summary>Apply(state, event) → state. Pure: the same events always fold to the same state.</summary>
public static class RegistryProjection
{
    public static RegistryState Apply(RegistryState state, RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var next = recorded.Event switch
        {
            IInstanceEvent e => ApplyInstance(state, e, recorded.Position, recorded.RecordedAt),
            EnvironmentDefined d => state with { Environments = state.Environments.SetItem(d.Name, d.Fallback) },
            _ => state,
        };
        return next with { Position = recorded.Position };
    }

    public static RegistryState Fold(IEnumerable<RecordedEvent> events, RegistryState? from = null) =>
        events.Aggregate(from ?? RegistryState.Empty, Apply);

    private static RegistryState ApplyInstance(RegistryState state, IInstanceEvent e, long position, DateTimeOffset at)
    {
        var existing = state.Instances.TryGetValue(e.InstanceId, out var known) ? known : null;
        // Rejections, and events about an instance the registry does not hold, change nothing a reader can see.
        if (e is ObservationRejected || (existing is null && e is not InstanceRegistered)) return state;

        var before = existing ?? InstanceState.Empty(e.InstanceId);
        var after = before.Apply(e, position, at);
        var oldService = before.Registration?.Service;
        var newService = after.Registration?.Service;

        var services = state.Services;
        if (oldService is not null && oldService != newService)
            services = Touch(services, oldService, position, ids => ids.Remove(e.InstanceId));
        if (newService is not null)
            services = Touch(services, newService, position, ids => ids.Add(e.InstanceId));

        var checkOwners = state.CheckOwners;
        if (e is InstanceRegistered or InstanceDeregistered)
        {
            checkOwners = checkOwners.RemoveRange(before.Checks.Keys.Where(k => checkOwners.GetValueOrDefault(k) == e.InstanceId));
            checkOwners = checkOwners.SetItems(after.Checks.Keys.Select(k => KeyValuePair.Create(k, e.InstanceId)));
        }

        return state with
        {
            Instances = after.IsRegistered ? state.Instances.SetItem(e.InstanceId, after) : state.Instances.Remove(e.InstanceId),
            Services = services,
            CheckOwners = checkOwners,
            CatalogPosition = e is InstanceRegistered or InstanceDeregistered ? position : state.CatalogPosition,
            HealthPosition = position,
        };
    }

    private static ImmutableSortedDictionary<string, ServiceEntry> Touch(
        ImmutableSortedDictionary<string, ServiceEntry> services, string service, long position,
        Func<ImmutableSortedSet<string>, ImmutableSortedSet<string>> change)
    {
        var entry = services.TryGetValue(service, out var found) ? found : ServiceEntry.Empty;
        return services.SetItem(service, new ServiceEntry(change(entry.InstanceIds), position));
    }
}
