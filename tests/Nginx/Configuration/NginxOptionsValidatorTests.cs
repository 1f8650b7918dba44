using Mesh.Nginx.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Nginx.Tests.Configuration;

public sealed class NginxOptionsValidatorTests
{
    [Fact]
    public void Errors_NameEveryBadKey()
    {
        var options = new NginxOptions
        {
            Targets =
            {
                ["0"] = new NginxTargetOptions { Mode = "everything", DebounceMs = 600, MaxDelayMs = 500, Services = ["Not_A_Label"] },
            },
        };

        var errors = NginxOptionsValidator.Errors(options);

        Assert.Equal(
        [
            "Mesh:Nginx:Targets:0:OutputPath is required",
            "Mesh:Nginx:Targets:0:Mode must be 'upstreams' or 'full', not 'everything'",
            "Mesh:Nginx:Targets:0:MaxDelayMs must be at least DebounceMs (600)",
            "Mesh:Nginx:Targets:0:Services: 'Not_A_Label' is not a service name (a DNS label)",
        ], errors);
    }

    [Fact]
    public void AddMeshNginx_BindsTargetsFromEnvironmentStyleKeys_WithDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Nginx:Targets:0:OutputPath"] = "/etc/nginx/conf.d/mesh.conf",
            ["Mesh:Nginx:Targets:0:Services:0"] = "web",
        }).Build();
        var services = new ServiceCollection().AddMeshNginx(configuration);

        using var provider = services.BuildServiceProvider();
        var target = provider.GetRequiredService<IOptions<NginxOptions>>().Value.Targets["0"];

        Assert.Equal(["web"], target.Services);
        Assert.Equal("nginx -t", target.ValidateCommand);
        Assert.Equal("nginx -s reload", target.ReloadCommand);
        Assert.Equal((500, 5000), (target.DebounceMs, target.MaxDelayMs));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void AddMeshNginx_WithoutTargets_RunsNothing()
    {
        var services = new ServiceCollection().AddMeshNginx(new ConfigurationBuilder().Build());

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
    }
}
