using System.Collections.Frozen;
using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Bus.Contracts;

/// <summary>
/// Observations, source events and metadata to and from the messages' JSON, with <see cref="EventSerializer.Options"/>
/// (the log's own format). Observation type names are stable like event type names: a name, once used, never changes.
/// </summary>
internal static class MessageCodec
{
    private static readonly (string Name, Type Type)[] Known =
    [
        ("InstanceSeen", typeof(InstanceSeen)),
        ("InstanceGone", typeof(InstanceGone)),
        ("CheckReported", typeof(CheckReported)),
        ("MaintenanceRequested", typeof(MaintenanceRequested)),
        ("InstanceInvalid", typeof(InstanceInvalid)),
    ];

    private static readonly FrozenDictionary<string, Type> ByName = Known.ToFrozenDictionary(k => k.Name, k => k.Type);
    private static readonly FrozenDictionary<Type, string> ByType = Known.ToFrozenDictionary(k => k.Type, k => k.Name);

    public static DecideObservation Encode(Observation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (!ByType.TryGetValue(observation.GetType(), out var name))
            throw new ArgumentException($"Observation type {observation.GetType().Name} has no stable name in {nameof(MessageCodec)}.", nameof(observation));

        // The metadata travels on its own; default arrays (a source that left them out) travel as empty ones.
        var bare = Normalize(observation) with { Metadata = EventMetadata.Empty };
        return new DecideObservation(
            name, observation.InstanceId, observation.Source,
            JsonSerializer.SerializeToElement(bare, bare.GetType(), EventSerializer.Options),
            EncodeMetadata(observation.Metadata));
    }

    /// <summary>The observation with its metadata; <see cref="InvalidDataException"/> when it cannot be read.</summary>
    public static Observation Decode(DecideObservation message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!ByName.TryGetValue(message.Type ?? "", out var type))
            throw new InvalidDataException($"unknown observation type '{message.Type}'");

        if (message.Observation.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"the {message.Type} is missing");

        Observation? observation;
        try
        {
            observation = (Observation?)message.Observation.Deserialize(type, EventSerializer.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the {message.Type} could not be read: {ex.Message}", ex);
        }
        if (observation is null) throw new InvalidDataException($"the {message.Type} is empty");
        if (observation.InstanceId != message.InstanceId)
            throw new InvalidDataException($"the {message.Type} is about instance '{observation.InstanceId}', the message about '{message.InstanceId}'");
        return observation with { Metadata = DecodeMetadata(message.Metadata) };
    }

    public static RecordSourceEvent Encode(SourceReconciled summary) => Encode(summary, summary.Source, summary.Node, EventMetadata.Empty);

    public static RecordSourceEvent Encode(SourceFactRecorded fact, EventMetadata metadata) => Encode(fact, fact.Source, fact.Node, metadata);

    private static RecordSourceEvent Encode(IEvent e, string source, string node, EventMetadata metadata) =>
        new(EventTypes.NameOf(e), source, node, JsonSerializer.SerializeToElement(e, e.GetType(), EventSerializer.Options), EncodeMetadata(metadata));

    public static IEvent Decode(RecordSourceEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Event.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"the {message.Type} is missing");
        try
        {
            return EventSerializer.Deserialize(message.Type ?? "", JsonSerializer.SerializeToUtf8Bytes(message.Event));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the {message.Type} could not be read: {ex.Message}", ex);
        }
    }

    public static JsonElement EncodeMetadata(EventMetadata metadata) =>
        JsonSerializer.SerializeToElement(metadata ?? EventMetadata.Empty, EventSerializer.Options);

    public static EventMetadata DecodeMetadata(JsonElement json)
    {
        if (json.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return EventMetadata.Empty;
        try
        {
            return json.Deserialize<EventMetadata>(EventSerializer.Options) ?? EventMetadata.Empty;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the metadata could not be read: {ex.Message}", ex);
        }
    }

    private static Observation Normalize(Observation observation) => observation is InstanceSeen seen
        ? seen with
        {
            Tags = seen.Tags.IsDefault ? [] : seen.Tags,
            Routes = seen.Routes.IsDefault ? [] : seen.Routes,
            Checks = seen.Checks.IsDefault ? [] : seen.Checks,
        }
        : observation;
}
