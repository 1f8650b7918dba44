using Mesh.Registry.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Registry.Tests.Health;

public sealed class HealthServiceCollectionExtensionsTests
{
    [Fact]
    public void AddMeshHealthChecks_BindsMeshHealthChecks()
    {
        var options = Resolve(new()
        {
            ["Mesh:HealthChecks:ReaperInterval"] = "00:00:00.200",
            ["Mesh:HealthChecks:MinInterval"] = "00:00:05",
            ["Mesh:HealthChecks:MaxConcurrentProbes"] = "3",
            ["Mesh:HealthChecks:DefaultTimeout"] = "00:00:02",
        });

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.ReaperInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MinInterval);
        Assert.Equal(3, options.MaxConcurrentProbes);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DefaultTimeout);
    }

    [Fact]
    public void AddMeshHealthChecks_NothingConfigured_UsesConsulsDefaults()
    {
        var options = Resolve([]);

        Assert.Equal(TimeSpan.FromSeconds(30), options.ReaperInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MinInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.DefaultTimeout);
    }

    [Fact]
    public void AddMeshHealthChecks_InvalidValues_FailNamingEveryKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Mesh:HealthChecks:ReaperInterval"] = "00:00:00",
            ["Mesh:HealthChecks:MinInterval"] = "-00:00:01",
            ["Mesh:HealthChecks:MaxConcurrentProbes"] = "0",
            ["Mesh:HealthChecks:DefaultTimeout"] = "00:00:00",
        }));

        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:HealthChecks:ReaperInterval ", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:HealthChecks:MinInterval ", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:HealthChecks:MaxConcurrentProbes ", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:HealthChecks:DefaultTimeout ", StringComparison.Ordinal));
    }

    [Fact]
    public void AddMeshHealthChecks_RegistersOneHeartbeatsForTheApi()
    {
        using var provider = new ServiceCollection().AddMeshHealthChecks(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<TtlHeartbeats>(), provider.GetRequiredService<TtlHeartbeats>());
        // Role all: the API's beats go straight to the process's own heartbeats.
        Assert.IsType<LocalTtlHeartbeatSink>(provider.GetRequiredService<ITtlHeartbeatSink>());
    }

    private static HealthCheckOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddMeshHealthChecks(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<HealthCheckOptions>>().Value;
    }
}
