using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>
/// One instance, folded from its stream. <see cref="Registration"/> is null before the first registration and after
/// deregistration. <see cref="Version"/> is the stream version this state reflects (-1: the stream is empty).
/// </summary>
public sealed record InstanceState(
    string InstanceId,
    long Version,
    InstanceRegistered? Registration,
    ImmutableSortedDictionary<string, CheckState> Checks,
    string? MaintenanceReason,
    ImmutableSortedSet<string> RejectedReasons,
    long CreatePosition,
    long ModifyPosition)
{
    public static InstanceState Empty(string instanceId) =>
        new(instanceId, -1, null, ImmutableSortedDictionary<string, CheckState>.Empty, null, [], 0, 0);

    [JsonIgnore]
    public bool IsRegistered => Registration is not null;

    [JsonIgnore]
    public bool InMaintenance => MaintenanceReason is not null;

    /// <summary>As in Consul: the worst of the checks; maintenance is critical; no checks is passing.</summary>
    [JsonIgnore]
    public HealthStatus Status
    {
        get
        {
            if (InMaintenance) return HealthStatus.Critical;
            var worst = HealthStatus.Passing;
            foreach (var check in Checks.Values)
                if (check.Status > worst) worst = check.Status;
            return worst;
        }
    }

    /// <summary>Folds one event of this instance's stream; pure. <paramref name="position"/> and <paramref name="at"/> come from the log.</summary>
    public InstanceState Apply(IInstanceEvent e, long position, DateTimeOffset at)
    {
        // One copy per event: replays fold millions of these.
        var version = Version + 1;
        return e switch
        {
            InstanceRegistered r => this with
            {
                Registration = r,
                Checks = CarryOverChecks(r, at),
                RejectedReasons = [],
                CreatePosition = IsRegistered ? CreatePosition : position,
                Version = version,
                ModifyPosition = position,
            },
            // Since marks the last status change: a new output alone (a critical check failing another way) does
            // not restart the clock that DeregisterCriticalServiceAfter counts from.
            InstanceHealthChanged h when Checks.TryGetValue(h.CheckId, out var check) => this with
            {
                Checks = Checks.SetItem(h.CheckId, check with
                {
                    Status = h.Status,
                    Output = h.Output,
                    Since = h.Status == check.Status ? check.Since : at,
                }),
                Version = version,
                ModifyPosition = position,
            },
            InstanceMaintenanceChanged m => this with { MaintenanceReason = m.Enabled ? m.Reason : null, Version = version, ModifyPosition = position },
            InstanceDeregistered => Empty(InstanceId) with { RejectedReasons = RejectedReasons, Version = version, ModifyPosition = position },
            ObservationRejected x => this with { RejectedReasons = RejectedReasons.Add(x.Reason), Version = version, ModifyPosition = position },
            _ => this with { Version = version, ModifyPosition = position },
        };
    }

    // A re-registration keeps the status of a check whose definition did not change; a new or changed check
    // starts at its initial status, as a Consul agent does.
    private ImmutableSortedDictionary<string, CheckState> CarryOverChecks(InstanceRegistered r, DateTimeOffset at)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, CheckState>();
        foreach (var spec in r.Checks)
        {
            builder[spec.CheckId] = Checks.TryGetValue(spec.CheckId, out var old) && old.Spec == spec
                ? old
                : new CheckState(spec, spec.InitialStatus, "", at);
        }
        return builder.ToImmutable();
    }
}
