using Mesh.Projections.State;

namespace Mesh.Host.Api.Consul;

/// <summary>
/// Consul service ids versus Mesh instance ids. Mesh is one agent for every instance it knows, whatever its source,
/// so the agent endpoints list and act on all of them. A service registered through this API with ID <c>web-1</c>
/// is instance <c>api:web-1</c> and shows as ServiceID <c>web-1</c>, so a Consul client finds the id it registered;
/// instances from other sources show their full instance id (<c>docker:3f2a...</c>, <c>marathon:app.1234</c>),
/// which cannot collide with an API id because registering an id that names another source's instance is refused.
/// </summary>
internal static class ConsulServiceIds
{
    public const string Source = "api";
    private const string Prefix = Source + ":";

    public static string InstanceId(string serviceId) => Prefix + serviceId;

    public static string ServiceId(string instanceId) =>
        instanceId.StartsWith(Prefix, StringComparison.Ordinal) ? instanceId[Prefix.Length..] : instanceId;

    /// <summary>The registered instance a Consul service id names, or null.</summary>
    public static string? Resolve(RegistryState state, string serviceId)
    {
        var api = InstanceId(serviceId);
        if (state.Instances.ContainsKey(api)) return api;
        return !serviceId.StartsWith(Prefix, StringComparison.Ordinal) && state.Instances.ContainsKey(serviceId) ? serviceId : null;
    }
}
