namespace Mesh.Registry.Sources.Docker;

/// <summary>One value read from a container: its key, its value, and whether it came from a label or the environment.</summary>
internal readonly record struct ContainerSetting(string Key, string Value, bool FromEnvironment)
{
    /// <summary>Where the value came from, as reasons name it: <c>label mesh.port</c>, <c>environment variable SERVICE_NAME</c>.</summary>
    public string Origin => FromEnvironment ? $"environment variable {Key}" : $"label {Key}";

    public bool IsEmpty => Value.Length == 0;
}
