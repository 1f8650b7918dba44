using Mesh.Registry.Sources.Marathon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonSourceServiceCollectionExtensionsTests
{
    private static ServiceCollection Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddMeshMarathonSource(configuration);
        return services;
    }

    [Fact]
    public void AddMeshMarathonSource_NoUrls_NoSourceNoStatus()
    {
        var services = Services(("Mesh:Sources:Marathon:Group", "external"));

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(MarathonSourceStatus));
    }

    [Fact]
    public void AddMeshMarathonSource_Urls_SourceAndStatusBoundFromTheSection()
    {
        var services = Services(
            ("Mesh:Sources:Marathon:Urls:0", "http://m1:8080"), ("Mesh:Sources:Marathon:Urls:1", "http://m2:8080"),
            ("Mesh:Sources:Marathon:Group", "external"), ("Mesh:Sources:Marathon:Node", "mesos"),
            ("Mesh:Sources:Marathon:ReconcileInterval", "00:00:10"));
        using var provider = services.BuildServiceProvider();

        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService));
        var options = provider.GetRequiredService<IOptions<MarathonSourceOptions>>().Value;
        Assert.Equal(["http://m1:8080", "http://m2:8080"], options.Urls);
        Assert.Equal("external", options.Group);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReconcileInterval);
        var status = provider.GetRequiredService<MarathonSourceStatus>().Current;
        Assert.Equal("mesos", status.Node);
        Assert.False(status.Connected);
    }

    [Fact]
    public void AddMeshMarathonSource_BadUrl_ValidationNamesTheKey()
    {
        using var provider = Services(("Mesh:Sources:Marathon:Urls:0", "ftp://m1")).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MarathonSourceOptions>>().Value);

        Assert.Contains("Mesh:Sources:Marathon:Urls:0", error.Message, StringComparison.Ordinal);
    }
}
