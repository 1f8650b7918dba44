using System.Text.Json;
using Xunit;

namespace Mesh.Host.Tests.Api.Consul;

/// <summary>Compares an answer to a Consul sample: every field the sample has, the answer has, with the same JSON kind.</summary>
internal static class ConsulShape
{
    public static void AssertHasFieldsOf(JsonElement sample, JsonElement actual, string path = "$")
    {
        Assert.True(actual.ValueKind == JsonValueKind.Object, $"{path} is {actual.ValueKind}, Consul's is an object");
        foreach (var field in sample.EnumerateObject())
        {
            Assert.True(actual.TryGetProperty(field.Name, out var value), $"{path} lacks Consul's field '{field.Name}'; it has: {string.Join(", ", actual.EnumerateObject().Select(p => p.Name))}");
            if (field.Value.ValueKind == JsonValueKind.Null) continue;
            Assert.True(SameKind(field.Value.ValueKind, value.ValueKind), $"{path}.{field.Name} is {value.ValueKind}, Consul's is {field.Value.ValueKind}");
        }
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static bool SameKind(JsonValueKind expected, JsonValueKind actual) =>
        expected == actual || (expected is JsonValueKind.True or JsonValueKind.False && actual is JsonValueKind.True or JsonValueKind.False);
}
