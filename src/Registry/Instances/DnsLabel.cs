using System.Buffers;

namespace Mesh.Registry.Instances;

/// <summary>Service and environment names are DNS labels: [a-z0-9-], 1 to 63 characters, no leading or trailing '-'.</summary>
public static class DnsLabel
{
    public const int MaxLength = 63;
    public const string DefaultEnvironment = "integration";

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && !name.AsSpan().ContainsAnyExcept(Allowed)
        && name[0] != '-'
        && name[^1] != '-';

    /// <summary>Why <paramref name="name"/> is not a DNS label, or null when it is one.</summary>
    public static string? Explain(string what, string? name) => name switch
    {
        null or "" => $"{what} is required",
        _ when name.Length > MaxLength => $"{what} '{name}' is longer than {MaxLength} characters",
        _ when IsValid(name) => null,
        _ => $"{what} '{name}' is not a DNS label (lowercase letters, digits and '-', not starting or ending with '-')",
    };
}
