using Mesh.Registry.Instances;

namespace Mesh.Bus;

/// <summary>Keyed services of the bus.</summary>
public static class BusServiceKeys
{
    /// <summary>
    /// The <see cref="IObservationHandler"/> the registry's consumers decide with: by default the process's
    /// <see cref="InstanceRegistry"/>. Registered with <c>TryAdd</c>, so a host or a test may put another (a decorator)
    /// under this key first.
    /// </summary>
    public const string Registry = "mesh-bus-registry";
}
