using System.Reflection;
using Docker.DotNet.Models;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// Captured inspect output (Data/*.json) → <see cref="ContainerInspectResponse"/>, read by Docker.DotNet's own
/// serializer and options, so the mapper is fed exactly what <c>DockerClient.Containers.InspectContainerAsync</c>
/// gives the watcher (nanosecond durations, converters and all). The serializer is internal to the library, hence
/// reflection; if a library update moves it, this fails loudly rather than testing another JSON reading.
/// </summary>
internal static class DockerJson
{
    public static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Sources", "Docker", "Data");

    private static readonly object Serializer = typeof(ContainerInspectResponse).Assembly
        .GetType("Docker.DotNet.JsonSerializer", throwOnError: true)!
        .GetProperty("Instance", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
        .GetValue(null)!;

    private static readonly MethodInfo DeserializeBytes = Serializer.GetType()
        .GetMethod("Deserialize", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(byte[])])!;

    public static ContainerInspectResponse Inspect(string file) => Read<ContainerInspectResponse>(file);

    public static T Read<T>(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(DataDirectory, file));
        try
        {
            return (T)DeserializeBytes.MakeGenericMethod(typeof(T)).Invoke(Serializer, [bytes])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    /// <summary>Every captured container, for properties that must hold for all of them.</summary>
    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(DataDirectory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;
}
