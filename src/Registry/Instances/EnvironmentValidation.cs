namespace Mesh.Registry.Instances;

/// <summary>Every reason an environment definition (name → fallback) cannot be accepted, all reported together.</summary>
public static class EnvironmentValidation
{
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
