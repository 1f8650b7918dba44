using Mesh.Registry.Instances;

namespace Mesh.Projections.Environments;

/// <summary>
/// Which names an environment may have. Beyond <see cref="EnvironmentValidation"/> (DNS labels, no self-fallback,
/// integration not definable), <c>service</c>, <c>node</c> and the test domain's first label are reserved: they
/// are the fixed labels of DNS names (<c>web.service.mesh</c>, <c>web.service.feature-x.mesh</c>,
/// <c>web.feature-x.test.mesh</c>), so an environment with one of those names would make such names ambiguous.
/// </summary>
public static class EnvironmentNames
{
    public const string Integration = DnsLabel.DefaultEnvironment;

    /// <summary>The first label of the default test domain (<c>test.mesh</c>).</summary>
    public const string DefaultTestLabel = "test";

    public static bool IsReserved(string name, string testLabel = DefaultTestLabel) =>
        EnvironmentValidation.IsAlwaysReserved(name) || string.Equals(name, testLabel, StringComparison.Ordinal);

    /// <summary>Every reason <paramref name="name"/> cannot be defined falling back to <paramref name="fallback"/>.</summary>
    public static IReadOnlyList<string> Validate(string? name, string? fallback, string testLabel = DefaultTestLabel)
    {
        var errors = EnvironmentValidation.Validate(name, fallback).ToList();
        if (name is not null && IsReserved(name, testLabel)) errors.Add($"environment name '{name}' is reserved");
        // A reserved name can never be an environment, so falling back to it would only ever mean integration.
        if (fallback is not null && IsReserved(fallback, testLabel)) errors.Add($"fallback environment '{fallback}' is a reserved name");
        return errors;
    }
}
