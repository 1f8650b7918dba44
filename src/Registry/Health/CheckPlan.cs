using Mesh.Registry.Instances;

namespace Mesh.Registry.Health;

/// <summary>
/// Which check runners to stop, start and keep, given those running and the registered instances. A check whose
/// definition changed is stopped and started again. Pure.
/// </summary>
internal static class CheckPlan
{
    /// <summary>Every check of every registered instance, by instance and check id.</summary>
    public static Dictionary<CheckKey, CheckState> Desired(IEnumerable<InstanceState> instances)
    {
        var desired = new Dictionary<CheckKey, CheckState>();
        foreach (var instance in instances)
        {
            if (!instance.IsRegistered) continue;
            foreach (var (checkId, check) in instance.Checks)
                if (check.Spec.Kind != Events.CheckKind.Source) // its source reports it; there is nothing to run
                    desired[new CheckKey(instance.InstanceId, checkId)] = check;
        }
        return desired;
    }

    public static CheckPlanDiff Diff(IReadOnlyDictionary<CheckKey, Events.CheckSpec> running, IReadOnlyDictionary<CheckKey, CheckState> desired)
    {
        var stop = new List<CheckKey>();
        var start = new List<CheckKey>();
        var keep = new List<CheckKey>();
        foreach (var (key, spec) in running)
        {
            if (!desired.TryGetValue(key, out var wanted)) stop.Add(key);
            else if (wanted.Spec != spec)
            {
                stop.Add(key);
                start.Add(key);
            }
            else keep.Add(key);
        }
        foreach (var key in desired.Keys)
        {
            if (!running.ContainsKey(key)) start.Add(key);
        }
        return new CheckPlanDiff(stop, start, keep);
    }
}

/// <summary>The runners to stop (first), to start, and to keep (and tell the check's latest state).</summary>
internal sealed record CheckPlanDiff(IReadOnlyList<CheckKey> Stop, IReadOnlyList<CheckKey> Start, IReadOnlyList<CheckKey> Keep);
