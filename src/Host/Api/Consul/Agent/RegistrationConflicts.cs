using Mesh.Projections.State;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>What makes a well-formed registration clash with what the registry already holds.</summary>
internal static class RegistrationConflicts
{
    public static IEnumerable<string> Find(RegistryState state, InstanceSeen seen)
    {
        var serviceId = ConsulServiceIds.ServiceId(seen.InstanceId);
        // An ID that is another source's instance id would make that instance unreachable by its ServiceID.
        if (serviceId != seen.InstanceId && state.Instances.TryGetValue(serviceId, out var other)
            && other.Registration is { Source: not ConsulServiceIds.Source } r)
            yield return $"ID '{serviceId}' is the id of an instance registered by '{r.Source}'; choose another ID";

        // Check ids are agent-wide in Consul, and TTL reports find their instance by check id alone.
        foreach (var check in seen.Checks)
        {
            if (state.CheckOwners.TryGetValue(check.CheckId, out var owner) && owner != seen.InstanceId)
                yield return $"CheckID '{check.CheckId}' already belongs to service '{ConsulServiceIds.ServiceId(owner)}'";
        }
    }
}
