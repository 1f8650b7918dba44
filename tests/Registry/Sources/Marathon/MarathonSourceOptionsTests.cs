using Mesh.Registry.Sources.Marathon;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonSourceOptionsTests
{
    [Fact]
    public void Validate_NoUrls_SourceOffAndValid() =>
        Assert.Empty(new MarathonSourceOptions { Node = "" }.Validate());

    [Fact]
    public void Validate_GoodUrls_Valid() =>
        Assert.Empty(new MarathonSourceOptions { Urls = ["http://m1:8080", "https://m2.example.org"] }.Validate());

    [Fact]
    public void Validate_BadUrl_NamesTheKeyAndIndex()
    {
        var errors = new MarathonSourceOptions { Urls = ["http://m1:8080", "m2:8080"] }.Validate();

        var error = Assert.Single(errors);
        Assert.Contains("Mesh:Sources:Marathon:Urls:1", error, StringComparison.Ordinal);
        Assert.Contains("'m2:8080'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadDurationsAndNode_EachNamesItsKey()
    {
        var errors = new MarathonSourceOptions
        {
            Urls = ["http://m1"], ReconcileInterval = TimeSpan.Zero, MaxBackoff = TimeSpan.FromSeconds(-1), Node = "a b",
        }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Mesh:Sources:Marathon:ReconcileInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mesh:Sources:Marathon:MaxBackoff", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mesh:Sources:Marathon:Node", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreDocumented()
    {
        var options = new MarathonSourceOptions();

        Assert.Equal(TimeSpan.FromSeconds(60), options.ReconcileInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxBackoff);
        Assert.Equal("marathon", options.Node);
        Assert.Empty(options.Urls);
    }
}
