using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Registry.Events;

/// <summary>JSON for event payloads and metadata: camelCase fields, enums as strings, unknown fields ignored.</summary>
public static class EventSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(IEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, e.GetType(), Options);

    public static IEvent Deserialize(string type, ReadOnlySpan<byte> json) =>
        EventTypes.TryGetType(type, out var clr)
            ? (IEvent)(JsonSerializer.Deserialize(json, clr, Options)
                ?? throw new InvalidDataException($"Event of type '{type}' has an empty payload."))
            : throw new InvalidDataException($"Unknown event type '{type}'.");

    public static byte[] SerializeMetadata(EventMetadata m) => JsonSerializer.SerializeToUtf8Bytes(m, Options);

    public static EventMetadata DeserializeMetadata(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? EventMetadata.Empty : JsonSerializer.Deserialize<EventMetadata>(json, Options) ?? EventMetadata.Empty;
}
