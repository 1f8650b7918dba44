using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Registry.Events;

namespace Mesh.Projections.History;

/// <summary>
/// Writes an <see cref="IEvent"/> with the fields of its own type (the interface has none, so it would be written as
/// <c>{}</c>). Written only: which type to read is in <see cref="TimelineEntry.Type"/>, next to it, out of a
/// converter's reach; <see cref="EventSerializer.Deserialize"/> reads an event given its type name.
/// </summary>
internal sealed class EventJsonConverter : JsonConverter<IEvent>
{
    public override IEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException($"An event is read with {nameof(EventSerializer)}.{nameof(EventSerializer.Deserialize)} and its type name.");

    public override void Write(Utf8JsonWriter writer, IEvent value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
}
