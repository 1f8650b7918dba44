using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Mesh.Projections.Routes;
using Mesh.Projections.State;

namespace Mesh.Projections.History;

/// <summary>
/// What changed between two states of the registry, as a pure function of them (<see cref="Between(RegistryState, RegistryState, RouteTableOptions)"/>).
/// <list type="bullet">
/// <item><see cref="Added"/> / <see cref="Removed"/>: instance ids registered in only one of the states. An id
/// registered in both is never added or removed, whatever it was re-registered as: it is <see cref="Changed"/>.</item>
/// <item><see cref="HealthChanged"/>: registered in both, another overall status (maintenance is critical).</item>
/// <item><see cref="Changed"/>: registered in both under another service, env, address, port, tags, version or routes.</item>
/// <item><see cref="RoutesAdded"/> / <see cref="RoutesRemoved"/> / <see cref="RoutesChanged"/>: the route tables
/// of the two states compared by host and path prefix; a route changes when it leads to another cluster or to
/// other destinations.</item>
/// </list>
/// Instances are listed by instance id, routes by host then path prefix (ordinal), so equal states give equal JSON.
/// A diff from the later state to the earlier one swaps added and removed.
/// </summary>
public sealed record RegistryDiff(
    long From,
    long To,
    ImmutableArray<InstanceSummary> Added,
    ImmutableArray<InstanceSummary> Removed,
    ImmutableArray<HealthChange> HealthChanged,
    ImmutableArray<RegistrationChange> Changed,
    ImmutableArray<RouteSummary> RoutesAdded,
    ImmutableArray<RouteSummary> RoutesRemoved,
    ImmutableArray<RouteChange> RoutesChanged)
{
    /// <summary>Nothing an operator would see changed (positions aside).</summary>
    [JsonIgnore]
    public bool IsEmpty =>
        Added.IsEmpty && Removed.IsEmpty && HealthChanged.IsEmpty && Changed.IsEmpty
        && RoutesAdded.IsEmpty && RoutesRemoved.IsEmpty && RoutesChanged.IsEmpty;

    /// <summary>The diff with routes under the default domains (<see cref="RouteTableOptions.Default"/>).</summary>
    public static RegistryDiff Between(RegistryState from, RegistryState to) => Between(from, to, RouteTableOptions.Default);

    public static RegistryDiff Between(RegistryState from, RegistryState to, RouteTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(options);

        var added = ImmutableArray.CreateBuilder<InstanceSummary>();
        var health = ImmutableArray.CreateBuilder<HealthChange>();
        var changed = ImmutableArray.CreateBuilder<RegistrationChange>();
        foreach (var (id, after) in to.Instances)
        {
            if (!from.Instances.TryGetValue(id, out var before))
            {
                added.Add(InstanceSummary.Of(after));
                continue;
            }
            var service = after.Registration!.Service;
            if (before.Status != after.Status)
                health.Add(new HealthChange(id, service, HistoryText.Status(before.Status), HistoryText.Status(after.Status)));
            var fields = RegistrationFields.Changed(before.Registration!, after.Registration);
            if (!fields.IsEmpty)
                changed.Add(new RegistrationChange(id, service, fields, InstanceSummary.Of(before), InstanceSummary.Of(after)));
        }
        var removed = from.Instances.Values
            .Where(i => !to.Instances.ContainsKey(i.InstanceId))
            .Select(InstanceSummary.Of)
            .ToImmutableArray();

        var (routesAdded, routesRemoved, routesChanged) = CompareRoutes(RouteTable.Of(from, options), RouteTable.Of(to, options));
        return new RegistryDiff(
            from.Position, to.Position,
            added.ToImmutable(), removed, health.ToImmutable(), changed.ToImmutable(),
            routesAdded, routesRemoved, routesChanged);
    }

    // Both tables list their routes by host then prefix, so the results come out in that order too.
    private static (ImmutableArray<RouteSummary>, ImmutableArray<RouteSummary>, ImmutableArray<RouteChange>) CompareRoutes(RouteTable from, RouteTable to)
    {
        var before = from.Routes.ToDictionary(r => (r.Host, r.PathPrefix));
        var added = ImmutableArray.CreateBuilder<RouteSummary>();
        var changed = ImmutableArray.CreateBuilder<RouteChange>();
        foreach (var route in to.Routes)
        {
            if (!before.TryGetValue((route.Host, route.PathPrefix), out var old))
            {
                added.Add(RouteSummary.Of(route));
                continue;
            }
            var oldDestinations = HistoryText.Endpoints(old.Cluster);
            var newDestinations = HistoryText.Endpoints(route.Cluster);
            if (old.Cluster.Id != route.Cluster.Id || !oldDestinations.SequenceEqual(newDestinations))
                changed.Add(new RouteChange(route.Host, route.PathPrefix, old.Cluster.Id, route.Cluster.Id, oldDestinations, newDestinations));
        }
        var after = to.Routes.Select(r => (r.Host, r.PathPrefix)).ToHashSet();
        var removed = from.Routes.Where(r => !after.Contains((r.Host, r.PathPrefix))).Select(RouteSummary.Of).ToImmutableArray();
        return (added.ToImmutable(), removed, changed.ToImmutable());
    }
}
