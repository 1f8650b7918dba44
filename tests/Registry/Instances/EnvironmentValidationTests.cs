using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Instances;

public sealed class EnvironmentValidationTests
{
    [Theory]
    [InlineData("feature-x", "integration")]
    [InlineData("feature-x", "staging")]
    [InlineData("a", "b")]
    public void Validate_LabelsThatDiffer_AreAccepted(string name, string fallback) =>
        Assert.Empty(EnvironmentValidation.Validate(name, fallback));

    [Theory]
    [InlineData("Feature_X", "integration", "environment 'Feature_X' is not a DNS label")]
    [InlineData("feature-x", "-bad", "fallback environment '-bad' is not a DNS label")]
    [InlineData("", "integration", "environment is required")]
    [InlineData("feature-x", "", "fallback environment is required")]
    [InlineData("feature-x", "feature-x", "environment 'feature-x' cannot fall back to itself")]
    [InlineData("integration", "staging", "environment 'integration' is the root environment")]
    public void Validate_Invalid_SaysWhy(string name, string fallback, string expected) =>
        Assert.Contains(EnvironmentValidation.Validate(name, fallback), e => e.StartsWith(expected, StringComparison.Ordinal));

    [Fact]
    public void Validate_SeveralProblems_ReportsThemAll() =>
        Assert.Equal(2, EnvironmentValidation.Validate("Bad_Name", "Also Bad").Count);
}
