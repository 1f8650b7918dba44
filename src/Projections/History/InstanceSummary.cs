using Mesh.Registry.Instances;

namespace Mesh.Projections.History;

/// <summary>
/// An instance as a diff shows it: where it was registered and its overall status (<c>passing</c>, <c>warning</c> or
/// <c>critical</c>; maintenance is critical). Strings and ints only, so it reads the same in any JSON settings.
/// </summary>
public sealed record InstanceSummary(string InstanceId, string Service, string Env, string Address, int Port, string? Version, string Status)
{
    internal static InstanceSummary Of(InstanceState instance)
    {
        var r = instance.Registration
            ?? throw new ArgumentException($"Instance '{instance.InstanceId}' is not registered.", nameof(instance));
        return new InstanceSummary(instance.InstanceId, r.Service, r.Env, r.Address, r.Port, r.Version, HistoryText.Status(instance.Status));
    }
}
