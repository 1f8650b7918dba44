using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// Observations as indented JSON, one after another, to compare whole results with readable diffs (records compare
/// immutable collections by reference, which is not what "the same" means here).
/// </summary>
internal static class ObservationText
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Of(IEnumerable<Observation> observations) =>
        string.Join("\n", observations.Select(o => $"{o.GetType().Name} {JsonSerializer.Serialize((object)o, Options)}"));
}
