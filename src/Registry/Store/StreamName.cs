namespace Mesh.Registry.Store;

/// <summary>A stream's name, e.g. <c>instance-docker:3f2a</c> or <c>env-feature-x</c>.</summary>
public readonly record struct StreamName
{
    public StreamName(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    public static StreamName ForInstance(string instanceId) => new($"instance-{instanceId}");

    public static StreamName ForEnvironment(string env) => new($"env-{env}");

    public static StreamName ForSource(string source, string node) => new($"source-{source}-{node}");

    public static StreamName ForNginx(string target) => new($"nginx-{target}");

    public override string ToString() => Value;
}
