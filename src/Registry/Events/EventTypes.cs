using System.Collections.Frozen;

namespace Mesh.Registry.Events;

/// <summary>
/// The stable type names events are stored under. A name, once used, never changes: renaming a CLR type
/// must not orphan the events already in the log.
/// </summary>
public static class EventTypes
{
    private static readonly (string Name, Type Type)[] Known =
    [
        ("InstanceRegistered", typeof(InstanceRegistered)),
        ("InstanceHealthChanged", typeof(InstanceHealthChanged)),
        ("InstanceMaintenanceChanged", typeof(InstanceMaintenanceChanged)),
        ("InstanceDeregistered", typeof(InstanceDeregistered)),
        ("ObservationRejected", typeof(ObservationRejected)),
        ("EnvironmentDefined", typeof(EnvironmentDefined)),
        ("SourceReconciled", typeof(SourceReconciled)),
        ("SourceFactRecorded", typeof(SourceFactRecorded)),
        ("NginxConfigApplied", typeof(NginxConfigApplied)),
        ("NginxConfigRejected", typeof(NginxConfigRejected)),
    ];

    private static readonly FrozenDictionary<string, Type> ByName = Known.ToFrozenDictionary(k => k.Name, k => k.Type);
    private static readonly FrozenDictionary<Type, string> ByType = Known.ToFrozenDictionary(k => k.Type, k => k.Name);

    public static string NameOf(IEvent e) =>
        ByType.TryGetValue(e.GetType(), out var name)
            ? name
            : throw new InvalidOperationException($"Event type {e.GetType().Name} has no stable name in {nameof(EventTypes)}.");

    public static bool TryGetType(string name, out Type type) => ByName.TryGetValue(name, out type!);
}
