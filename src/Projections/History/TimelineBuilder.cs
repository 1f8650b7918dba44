using System.Collections.Immutable;
using Mesh.Projections.Environments;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Store;

namespace Mesh.Projections.History;

/// <summary>
/// Folds the log event by event and keeps the entries that concern one service or instance, <paramref name="name"/>;
/// the rules are on <see cref="Timeline"/>. The fold is the projection's own (<see cref="RegistryStateBuilder"/>), read
/// instance by instance: a whole state is built only around the rare environment definitions, so a million events
/// cost a replay, not a million states.
/// </summary>
internal sealed class TimelineBuilder(string name, RegistryState start)
{
    private readonly RegistryStateBuilder _registry = new(start);
    private long _position = start.Position;
    private readonly ImmutableArray<TimelineEntry>.Builder _entries = ImmutableArray.CreateBuilder<TimelineEntry>();
    // The sources and nodes that have registered one of the subject's instances.
    private readonly HashSet<(string Source, string Node)> _homes = [.. Registrations(start, name).Select(r => (r.Source, r.Node))];
    // Per nginx target, the position its last applied configuration was rendered at.
    private readonly Dictionary<string, long> _nginxApplied = new(StringComparer.Ordinal);
    // The last event that changed one of the subject's instances (0: none yet).
    private long _lastChange;

    public void Add(RecordedEvent recorded)
    {
        var before = recorded.Event is EnvironmentDefined ? _registry.ToState() : null;
        var was = recorded.Event is IInstanceEvent instanceEvent ? _registry.InstanceOf(instanceEvent.InstanceId)?.Registration : null;
        _registry.Apply(recorded);
        _position = recorded.Position;
        var entry = recorded.Event switch
        {
            IInstanceEvent e => OfInstance(recorded, e, was),
            EnvironmentDefined d when ChangesWhoAnswers(before!, _registry.ToState()) =>
                Entry(recorded, null, null, $"environment {d.Name} falls back to {d.Fallback}"),
            SourceReconciled s when _homes.Contains((s.Source, s.Node)) =>
                Entry(recorded, null, null, $"{s.Source} on {s.Node} reconciled ({s.Trigger}): {s.Running} running, "
                    + $"{s.Registered} registered, {s.Deregistered} deregistered, {s.Rejected} rejected"),
            NginxConfigApplied a => OfNginx(recorded, a.Target, a.Position, applied: true,
                $"nginx {a.Target} applied config {Hash(a.Hash)} rendered at position {a.Position}"),
            NginxConfigRejected r => OfNginx(recorded, r.Target, r.Position, applied: false,
                $"nginx {r.Target} refused config {Hash(r.Hash)} rendered at position {r.Position}: {HistoryText.Short(r.Error)}"),
            _ => null,
        };
        if (entry is not null) _entries.Add(entry);
    }

    public Timeline Build() => new(name, _position, _entries.ToImmutable());

    private TimelineEntry? OfInstance(RecordedEvent recorded, IInstanceEvent e, InstanceRegistered? was)
    {
        var id = e.InstanceId;
        var service = e is InstanceRegistered r ? r.Service : was?.Service;
        if (id != name && service != name && was?.Service != name) return null;

        if (e is InstanceRegistered registered) _homes.Add((registered.Source, registered.Node));
        var now = _registry.InstanceOf(id);
        if (now?.ModifyPosition == recorded.Position || (now is null && was is not null)) _lastChange = recorded.Position;
        return Entry(recorded, id, service, Summarize(e, was, recorded.Type));
    }

    private TimelineEntry? OfNginx(RecordedEvent recorded, string target, long rendered, bool applied, string summary)
    {
        var appliedUpTo = _nginxApplied.GetValueOrDefault(target);
        var carries = _lastChange > appliedUpTo && _lastChange <= rendered;
        if (applied && rendered > appliedUpTo) _nginxApplied[target] = rendered;
        return carries ? Entry(recorded, null, null, summary) : null;
    }

    // An environment definition matters to a service when some environment now resolves it to other instances.
    private bool ChangesWhoAnswers(RegistryState before, RegistryState after)
    {
        var services = Registrations(before, name).Concat(Registrations(after, name)).Select(r => r.Service)
            .Concat(after.Services.ContainsKey(name) ? [name] : [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (services.Count == 0) return false;
        var (was, now) = (EnvironmentView.Of(before), EnvironmentView.Of(after));
        return was.Environments.Keys.Union(now.Environments.Keys, StringComparer.Ordinal)
            .Any(env => services.Any(service => was.Resolve(env, service).AnsweredBy != now.Resolve(env, service).AnsweredBy));
    }

    // The registrations of the subject in a state: the instance of that id, or the instances of that service.
    private static IEnumerable<InstanceRegistered> Registrations(RegistryState state, string name)
    {
        if (state.Instances.TryGetValue(name, out var instance) && instance.Registration is { } own) yield return own;
        foreach (var i in state.InstancesOf(name)) yield return i.Registration!;
    }

    private static string Summarize(IInstanceEvent e, InstanceRegistered? was, string type) => e switch
    {
        InstanceRegistered r => Registered(r, was),
        InstanceHealthChanged h => IfRegistered(was, $"check {h.CheckId} → {HistoryText.Status(h.Status)}{Detail(h.Output)}"),
        InstanceMaintenanceChanged m => IfRegistered(was, m.Enabled ? $"maintenance on{Detail(m.Reason)}" : "maintenance off"),
        InstanceDeregistered d => IfRegistered(was, string.IsNullOrEmpty(d.Reason) ? "deregistered" : $"deregistered ({HistoryText.Short(d.Reason)})"),
        ObservationRejected x => $"rejected from {x.Source}: {HistoryText.Short(x.Reason)}",
        _ => type,
    };

    private static string Registered(InstanceRegistered r, InstanceRegistered? was)
    {
        var where = $"{HistoryText.Endpoint(r.Address, r.Port)} in {r.Env}";
        if (was is null) return $"registered {r.Service} at {where}";
        if (was.Service != r.Service) return $"re-registered as {r.Service} at {where} (was {was.Service})";
        var fields = RegistrationFields.Changed(was, r);
        return fields.IsEmpty
            ? $"re-registered {r.Service} at {where}"
            : $"re-registered {r.Service} at {where} ({string.Join(", ", fields)} changed)";
    }

    // The projection ignores events about an instance it does not hold: the summary says so.
    private static string IfRegistered(InstanceRegistered? was, string summary) => was is null ? $"{summary} (not registered)" : summary;

    private static string Detail(string? text) => HistoryText.Short(text) is { Length: > 0 } s ? $": {s}" : "";

    private static string Hash(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static TimelineEntry Entry(RecordedEvent recorded, string? instanceId, string? service, string summary) => new(
        recorded.Position,
        recorded.RecordedAt,
        recorded.Metadata.SourceTime,
        recorded.Metadata.SourceFactId,
        recorded.Metadata.CorrelationId,
        recorded.Type,
        instanceId,
        service,
        summary,
        recorded.Event);
}
