namespace Mesh.Registry.Instances;

/// <summary>Every reason an environment definition (name → fallback) cannot be accepted, all reported together.</summary>
public static class EnvironmentValidation
{
    /// <summary>
    /// Labels no environment may take whatever the configuration: the fixed labels of DNS names
    /// (<c>web.service.mesh</c>, <c>db-1.node.mesh</c>, <c>0a000001.addr.mesh</c>). The test domain's first label is reserved too, but it is
    /// configured, so the read side checks it (<c>EnvironmentNames</c>).
    /// </summary>
    public static bool IsAlwaysReserved(string? name) => name is "service" or "node" or "addr";

    public static IReadOnlyList<string> Validate(string? name, string? fallback)
    {
        var errors = new List<string>();
        if (DnsLabel.Explain("environment", name) is { } nameError) errors.Add(nameError);
        if (DnsLabel.Explain("fallback environment", fallback) is { } fallbackError) errors.Add(fallbackError);
        // integration is where every fallback chain ends: giving it a fallback would make chains that never end.
        if (name == DnsLabel.DefaultEnvironment)
            errors.Add($"environment '{name}' is the root environment and cannot be defined (it has no fallback)");
        else if (name is { Length: > 0 } && name == fallback)
            errors.Add($"environment '{name}' cannot fall back to itself");
        return errors;
    }
}
