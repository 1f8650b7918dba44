using System.Collections.Immutable;
using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>
/// Decide(state, observation) → events. Pure. An observation that changes nothing yields nothing, so re-sent,
/// duplicated and replayed observations are harmless.
/// </summary>
public static class InstanceDecider
{
    public static Decision Decide(InstanceState state, Observation observation) => observation switch
    {
        InstanceSeen seen => DecideSeen(state, seen),
        InstanceGone gone => state.IsRegistered
            ? Decision.Of(new InstanceDeregistered(state.InstanceId, gone.Reason))
            : Decision.Nothing,
        CheckReported report => DecideCheck(state, report),
        MaintenanceRequested m => DecideMaintenance(state, m),
        InstanceInvalid invalid => Reject(state, invalid, invalid.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(observation), observation.GetType().Name, "Unknown observation."),
    };

    private static Decision DecideSeen(InstanceState state, InstanceSeen seen)
    {
        var errors = InstanceValidation.Validate(seen);
        if (errors.Count > 0) return Reject(state, seen, string.Join("; ", errors));

        var registered = new InstanceRegistered(
            seen.InstanceId, seen.Service, seen.Env, seen.Address, seen.Port,
            seen.Tags, seen.Meta, seen.Routes.IsDefault ? [] : seen.Routes, seen.Version, seen.Source, seen.Node,
            seen.Checks.IsDefault ? [] : seen.Checks);

        return state.Registration is { } current && SameDefinition(current, registered)
            ? Decision.Nothing
            : Decision.Of(registered);
    }

    // Once per instance and reason: a periodic reconcile of the same bad input must not flood the log.
    private static Decision Reject(InstanceState state, Observation observation, string reason) =>
        state.RejectedReasons.Contains(reason)
            ? new Decision([], reason)
            : new Decision([new ObservationRejected(state.InstanceId, observation.Source, reason, observation.Metadata.RawPayload ?? "")], reason);

    private static Decision DecideCheck(InstanceState state, CheckReported report)
    {
        if (!state.IsRegistered) return new Decision([], $"instance '{state.InstanceId}' is not registered");
        if (!state.Checks.TryGetValue(report.CheckId, out var check))
            return new Decision([], $"instance '{state.InstanceId}' has no check '{report.CheckId}'");
        return check.Status == report.Status && check.Output == report.Output
            ? Decision.Nothing
            : Decision.Of(new InstanceHealthChanged(state.InstanceId, report.CheckId, report.Status, report.Output));
    }

    private static Decision DecideMaintenance(InstanceState state, MaintenanceRequested m)
    {
        if (!state.IsRegistered) return new Decision([], $"instance '{state.InstanceId}' is not registered");
        if (m.Enabled == state.InMaintenance && (!m.Enabled || m.Reason == state.MaintenanceReason)) return Decision.Nothing;
        return Decision.Of(new InstanceMaintenanceChanged(state.InstanceId, m.Enabled, m.Reason));
    }

    /// <summary>Field-by-field equality; records compare immutable collections by reference, which is not what "unchanged" means.</summary>
    public static bool SameDefinition(InstanceRegistered a, InstanceRegistered b) =>
        a.InstanceId == b.InstanceId
        && a.Service == b.Service
        && a.Env == b.Env
        && a.Address == b.Address
        && a.Port == b.Port
        && a.Tags.SequenceEqual(b.Tags)
        && a.Meta.SequenceEqual(b.Meta)
        && a.Routes.SequenceEqual(b.Routes)
        && a.Version == b.Version
        && a.Source == b.Source
        && a.Node == b.Node
        && a.Checks.SequenceEqual(b.Checks);
}
