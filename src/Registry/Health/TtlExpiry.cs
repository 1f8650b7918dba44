using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Health;

/// <summary>
/// When a TTL check (whose <see cref="CheckSpec.Interval"/> holds the TTL) has not heard from its service for too
/// long. Pure: the times come from the caller.
/// </summary>
internal static class TtlExpiry
{
    public const string Expired = "TTL expired";

    /// <summary>
    /// The TTL counts from the latest sign of life: the check's last transition, the last beat, or the moment this
    /// checker took the check over (so a restart gives every TTL check one full TTL instead of expiring it at once).
    /// </summary>
    public static DateTimeOffset DueAt(CheckState state, DateTimeOffset? lastBeat, DateTimeOffset watchedSince)
    {
        var from = state.Since > watchedSince ? state.Since : watchedSince;
        if (lastBeat > from) from = lastBeat.Value;
        return from + state.Spec.Interval;
    }

    /// <summary>A check that is already critical has nothing left to expire.</summary>
    public static bool IsExpired(CheckState state, DateTimeOffset? lastBeat, DateTimeOffset watchedSince, DateTimeOffset now) =>
        state.Status != HealthStatus.Critical && now >= DueAt(state, lastBeat, watchedSince);

    /// <summary>Consul's wording, which keeps the last thing the service said.</summary>
    public static string Output(string lastOutput) =>
        string.IsNullOrEmpty(lastOutput) ? Expired : $"{Expired} (last output before timeout follows): {lastOutput}";
}
