using Docker.DotNet.Models;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// A container's labels and environment (<c>Config.Labels</c>, <c>Config.Env</c>), read with Mesh's precedence: a
/// <c>mesh.*</c> label first, then registrator's <c>SERVICE_&lt;port&gt;_KEY</c>, then <c>SERVICE_KEY</c>; at each
/// registrator level a label before an environment variable, as registrator itself does.
/// </summary>
internal sealed class ContainerSettings
{
    private const string RegistratorPrefix = "SERVICE_";
    private const string NameSuffix = "_" + MeshLabels.RegistratorName;

    private readonly IDictionary<string, string> _labels;
    private readonly Dictionary<string, ContainerSetting> _registratorLabels;
    private readonly Dictionary<string, ContainerSetting> _registratorEnvironment;

    private ContainerSettings(
        IDictionary<string, string> labels,
        Dictionary<string, ContainerSetting> registratorLabels,
        Dictionary<string, ContainerSetting> registratorEnvironment)
    {
        _labels = labels;
        _registratorLabels = registratorLabels;
        _registratorEnvironment = registratorEnvironment;
    }

    public static ContainerSettings Read(ContainerConfig? config)
    {
        var labels = config?.Labels ?? new Dictionary<string, string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in config?.Env ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) environment[entry[..equals]] = entry[(equals + 1)..]; // "NAME" alone sets nothing
        }
        return new ContainerSettings(labels, ReadRegistrator(labels, fromEnvironment: false), ReadRegistrator(environment, fromEnvironment: true));
    }

    /// <summary>A label as given (empty when set to ""), or null when the container does not carry it.</summary>
    public ContainerSetting? Label(string key) =>
        _labels.TryGetValue(key, out var value) ? new ContainerSetting(key, value ?? "", FromEnvironment: false) : null;

    /// <summary>registrator's <c>SERVICE_&lt;port&gt;_KEY</c> (when <paramref name="port"/> is given), else <c>SERVICE_KEY</c>.</summary>
    public ContainerSetting? Registrator(string key, string? port) =>
        (port is null ? null : Find($"{port}_{key}")) ?? Find(key);

    /// <summary>The <c>mesh.*</c> label, else the registrator key.</summary>
    public ContainerSetting? Get(string meshLabel, string registratorKey, string? port) =>
        Label(meshLabel) ?? Registrator(registratorKey, port);

    /// <summary>The ports that <c>SERVICE_&lt;port&gt;_NAME</c> names (labels or environment), as written, in numeric order.</summary>
    public IReadOnlyList<string> NamedPorts() =>
        _registratorLabels.Keys.Concat(_registratorEnvironment.Keys)
            .Where(key => key.EndsWith(NameSuffix, StringComparison.Ordinal))
            .Select(key => key[..^NameSuffix.Length])
            .Where(port => port.Length > 0 && port.All(char.IsAsciiDigit))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(port => port.Length)
            .ThenBy(port => port, StringComparer.Ordinal)
            .ToList();

    private ContainerSetting? Find(string key) =>
        _registratorLabels.TryGetValue(key, out var label) ? label
        : _registratorEnvironment.TryGetValue(key, out var variable) ? variable
        : null;

    // registrator upper/lower-cases nothing before SERVICE_ and ignores the case after it. When one key is spelled
    // several ways, the ordinal-first spelling wins, so the result never depends on the order the engine listed them.
    private static Dictionary<string, ContainerSetting> ReadRegistrator(IDictionary<string, string> pairs, bool fromEnvironment)
    {
        var settings = new Dictionary<string, ContainerSetting>(StringComparer.Ordinal);
        foreach (var key in pairs.Keys.Where(IsRegistratorKey).Order(StringComparer.Ordinal))
            settings.TryAdd(key[RegistratorPrefix.Length..].ToUpperInvariant(), new ContainerSetting(key, pairs[key] ?? "", fromEnvironment));
        return settings;
    }

    private static bool IsRegistratorKey(string key) =>
        key.Length > RegistratorPrefix.Length && key.StartsWith(RegistratorPrefix, StringComparison.Ordinal);
}
