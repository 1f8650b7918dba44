using System.Collections.Immutable;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Environments;

/// <summary>
/// One environment: its fallback (null only for integration), whether it was defined explicitly, and the
/// registered instances of each service it runs, in instance id order.
/// </summary>
public sealed record EnvironmentEntry(
    string Name,
    string? Fallback,
    bool Defined,
    ImmutableSortedDictionary<string, ImmutableArray<InstanceState>> Services)
{
    public int InstanceCount => Services.Values.Sum(i => i.Length);

    public bool Runs(string service) => Services.ContainsKey(service);
}
