using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Projections.State;

/// <summary>
/// Folds events into a <see cref="RegistryState"/>. Changes are kept by key in hash maps and merged into the
/// sorted immutable maps once, in <see cref="ToState"/>: a replay of a million events does a hash lookup per event
/// instead of a sorted-tree search and copy, and one event costs what it did before.
/// <see cref="RegistryProjection.Apply"/> and <see cref="RegistryProjection.Fold"/> both go through here, so a
/// replayed state and a live one come from the same code. The start state is never changed.
/// </summary>
internal sealed class RegistryStateBuilder(RegistryState start)
{
    // Key → latest value since start; null marks a removal.
    private Dictionary<string, InstanceState?>? _instances;
    private Dictionary<string, ServiceEntry?>? _services;
    private Dictionary<string, string?>? _environments;
    private Dictionary<string, string?>? _checkOwners;
    private long _position = start.Position;
    private long _catalogPosition = start.CatalogPosition;
    private long _healthPosition = start.HealthPosition;

    public void Apply(RecordedEvent recorded)
    {
        switch (recorded.Event)
        {
            case IInstanceEvent e:
                ApplyInstance(e, recorded.Position, recorded.RecordedAt);
                break;
            case EnvironmentDefined d:
                Changes(ref _environments)[d.Name] = d.Fallback;
                break;
        }
        _position = recorded.Position;
    }

    /// <summary>The instance as folded so far; null while it is not registered.</summary>
    public InstanceState? InstanceOf(string instanceId) => Get(start.Instances, _instances, instanceId);

    public RegistryState ToState() => new(
        _position,
        Merge(start.Instances, _instances),
        Merge(start.Services, _services),
        Merge(start.Environments, _environments),
        Merge(start.CheckOwners, _checkOwners),
        _catalogPosition,
        _healthPosition);

    private void ApplyInstance(IInstanceEvent e, long position, DateTimeOffset at)
    {
        var id = e.InstanceId;
        var existing = Get(start.Instances, _instances, id);
        // Rejections, and events about an instance the registry does not hold, change nothing a reader can see.
        if (e is ObservationRejected || (existing is null && e is not InstanceRegistered)) return;

        var before = existing ?? InstanceState.Empty(id);
        var after = before.Apply(e, position, at);
        var oldService = before.Registration?.Service;
        var newService = after.Registration?.Service;

        if (oldService != newService)
        {
            if (oldService is not null) Touch(oldService, position, ids => ids.Remove(id));
            if (newService is not null) Touch(newService, position, ids => ids.Add(id));
        }
        else if (newService is not null)
        {
            Touch(newService, position, ids => ids); // same members, newer position
        }

        if (e is InstanceRegistered or InstanceDeregistered)
        {
            var owners = Changes(ref _checkOwners);
            foreach (var check in before.Checks.Keys)
                if (Get(start.CheckOwners, _checkOwners, check) == id) owners[check] = null;
            foreach (var check in after.Checks.Keys) owners[check] = id;
            _catalogPosition = position;
        }

        Changes(ref _instances)[id] = after.IsRegistered ? after : null;
        _healthPosition = position;
    }

    private void Touch(string service, long position, Func<ImmutableSortedSet<string>, ImmutableSortedSet<string>> members)
    {
        var ids = (Get(start.Services, _services, service) ?? ServiceEntry.Empty).InstanceIds;
        Changes(ref _services)[service] = new ServiceEntry(members(ids), position);
    }

    private static Dictionary<string, T?> Changes<T>(ref Dictionary<string, T?>? changes) where T : class =>
        changes ??= new Dictionary<string, T?>(StringComparer.Ordinal);

    private static T? Get<T>(ImmutableSortedDictionary<string, T> from, Dictionary<string, T?>? changes, string key) where T : class =>
        changes is not null && changes.TryGetValue(key, out var changed) ? changed : from.GetValueOrDefault(key);

    private static ImmutableSortedDictionary<string, T> Merge<T>(ImmutableSortedDictionary<string, T> from, Dictionary<string, T?>? changes) where T : class
    {
        if (changes is null) return from;
        var builder = from.ToBuilder();
        foreach (var (key, value) in changes)
        {
            if (value is null) builder.Remove(key);
            else builder[key] = value;
        }
        return builder.ToImmutable();
    }
}
