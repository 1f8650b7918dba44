using Mesh.Projections.Environments;
using Xunit;

namespace Mesh.Projections.Tests.Environments;

public sealed class EnvironmentNamesTests
{
    [Theory]
    [InlineData("service", "test", true)]
    [InlineData("node", "test", true)]
    [InlineData("test", "test", true)]
    [InlineData("test", "preview", false)] // another test domain frees "test"...
    [InlineData("preview", "preview", true)] // ...and reserves its own first label
    [InlineData("feature-x", "test", false)]
    [InlineData("integration", "test", false)]
    public void IsReserved_ServiceNodeAndTheTestDomainsFirstLabel(string name, string testLabel, bool reserved) =>
        Assert.Equal(reserved, EnvironmentNames.IsReserved(name, testLabel));

    [Theory]
    [InlineData("feature-x", "integration", new string[0])]
    [InlineData("feature-x", "staging", new string[0])]
    [InlineData("service", "integration", new[] { "environment name 'service' is reserved" })]
    [InlineData("test", "integration", new[] { "environment name 'test' is reserved" })]
    [InlineData("feature-x", "node", new[] { "fallback environment 'node' is a reserved name" })]
    [InlineData("feature-x", "feature-x", new[] { "environment 'feature-x' cannot fall back to itself" })]
    [InlineData("Feature_X", "service", new[]
    {
        "environment 'Feature_X' is not a DNS label (lowercase letters, digits and '-', not starting or ending with '-')",
        "fallback environment 'service' is a reserved name",
    })]
    public void Validate_ReportsEveryProblem(string name, string fallback, string[] expected) =>
        Assert.Equal(expected, EnvironmentNames.Validate(name, fallback));
}
