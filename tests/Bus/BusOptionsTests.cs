using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Bus.Tests;

/// <summary><c>Mesh:Bus</c> validation: every problem reported together, each naming its key.</summary>
public sealed class BusOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new BusOptions().Validate());

    [Fact]
    public void Validate_RabbitMqWithDefaults_IsValid() => Assert.Empty(new BusOptions { Transport = "RabbitMQ" }.Validate());

    [Theory]
    [InlineData("Mesh:Bus:Transport", "kafka", "Mesh:Bus:Transport must be 'inmemory' or 'rabbitmq' (was 'kafka')")]
    [InlineData("Mesh:Bus:RabbitMq:Host", "", "Mesh:Bus:RabbitMq:Host is required when Mesh:Bus:Transport is 'rabbitmq'")]
    [InlineData("Mesh:Bus:RabbitMq:Host", "no such host!", "Mesh:Bus:RabbitMq:Host must be a host name or an IP address (was 'no such host!')")]
    [InlineData("Mesh:Bus:RabbitMq:Port", "0", "Mesh:Bus:RabbitMq:Port must be between 1 and 65535 (was 0)")]
    [InlineData("Mesh:Bus:RabbitMq:Username", "", "Mesh:Bus:RabbitMq:Username is required")]
    [InlineData("Mesh:Bus:RabbitMq:VirtualHost", "", "Mesh:Bus:RabbitMq:VirtualHost is required ('/' is RabbitMQ's default)")]
    [InlineData("Mesh:Bus:RequestTimeout", "00:00:00", "Mesh:Bus:RequestTimeout must be positive (was 00:00:00)")]
    [InlineData("Mesh:Bus:RetryLimit", "-1", "Mesh:Bus:RetryLimit must be between 0 and 100 (was -1)")]
    [InlineData("Mesh:Bus:RetryInterval", "-00:00:01", "Mesh:Bus:RetryInterval must not be negative (was -00:00:01)")]
    public void Start_BadSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Mesh:Bus:Transport"] = "rabbitmq", [key] = value };

        var error = Assert.Throws<OptionsValidationException>(() => Start(settings));

        Assert.Equal([expected], error.Failures);
    }

    [Fact]
    public void Start_SeveralBadSettings_ReportsThemAllTogether()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new()
        {
            ["Mesh:Bus:Transport"] = "rabbitmq",
            ["Mesh:Bus:RabbitMq:Host"] = "",
            ["Mesh:Bus:RequestTimeout"] = "00:00:00",
        }));

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void Describe_NeverShowsThePassword()
    {
        var options = new BusOptions { Transport = "rabbitmq", RabbitMq = { Host = "mq.internal", Port = 5671, Password = "s3cret", VirtualHost = "mesh" } };

        Assert.Equal("rabbitmq://mq.internal:5671/mesh", options.Describe());
    }

    // As the host starts: the options are validated before anything runs.
    private static void Start(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddLogging().AddMeshBus(configuration, BusRole.Agent).BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
    }
}
