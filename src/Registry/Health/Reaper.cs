using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Health;

/// <summary>
/// Which instances have a check that has been critical for longer than its <c>DeregisterCriticalServiceAfter</c>,
/// counted from the check's recorded transition (<see cref="CheckState.Since"/>, a time from the log, so it survives
/// restarts). Consul refuses values under one minute; Mesh takes any positive value as given. Pure.
/// </summary>
internal static class Reaper
{
    public const string Reason = "expired";

    public static IReadOnlyList<ExpiredCheck> Expired(IEnumerable<InstanceState> instances, DateTimeOffset now)
    {
        var expired = new List<ExpiredCheck>();
        foreach (var instance in instances)
        {
            if (!instance.IsRegistered) continue;
            foreach (var check in instance.Checks.Values)
            {
                if (check is { Status: HealthStatus.Critical, Spec.DeregisterCriticalServiceAfter: { } after }
                    && after > TimeSpan.Zero
                    && now - check.Since > after)
                {
                    expired.Add(new ExpiredCheck(instance.InstanceId, check.Spec.CheckId, check.Since, after));
                    break; // one expired check is enough to remove the instance
                }
            }
        }
        return expired;
    }
}

/// <summary>An instance to deregister, and the check that expired it.</summary>
internal sealed record ExpiredCheck(string InstanceId, string CheckId, DateTimeOffset CriticalSince, TimeSpan After);
