using Docker.DotNet.Models;
using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>Precedence of labels and environment, beyond what the captured containers show.</summary>
public sealed class ContainerSettingsTests
{
    private static ContainerSettings Read(Dictionary<string, string>? labels = null, params string[] env) =>
        ContainerSettings.Read(new ContainerConfig { Labels = labels ?? [], Env = env });

    [Fact]
    public void Registrator_PortKeyAndGeneralKey_PortKeyWinsEvenFromTheEnvironment()
    {
        var settings = Read(new() { ["SERVICE_TAGS"] = "general" }, "SERVICE_8080_TAGS=port");

        Assert.Equal("port", settings.Registrator("TAGS", "8080")?.Value);
        Assert.Equal("general", settings.Registrator("TAGS", "9090")?.Value);
        Assert.Equal("general", settings.Registrator("TAGS", null)?.Value);
    }

    [Fact]
    public void Registrator_LabelAndVariable_LabelWins()
    {
        var setting = Read(new() { ["SERVICE_NAME"] = "from-label" }, "SERVICE_NAME=from-env").Registrator("NAME", null);

        Assert.Equal(new ContainerSetting("SERVICE_NAME", "from-label", FromEnvironment: false), setting);
    }

    [Fact]
    public void Registrator_KeySpelledInLowerCase_Found()
    {
        // registrator lower-cases what follows SERVICE_, so SERVICE_name is SERVICE_NAME.
        Assert.Equal("api", Read(null, "SERVICE_name=api").Registrator("NAME", null)?.Value);
    }

    [Fact]
    public void Read_VariableWithoutValueOrEquals_ValueIsEmptyOrAbsent()
    {
        var settings = Read(null, "SERVICE_NAME", "SERVICE_TAGS=", "SERVICE_ID=a=b");

        Assert.Null(settings.Registrator("NAME", null));
        Assert.Equal("", settings.Registrator("TAGS", null)?.Value);
        Assert.Equal("a=b", settings.Registrator("ID", null)?.Value);
    }

    [Fact]
    public void NamedPorts_LabelsAndEnvironment_NumericOrderWithoutRepeats()
    {
        var settings = Read(new() { ["SERVICE_9090_NAME"] = "metrics", ["SERVICE_80_NAME"] = "web" },
            "SERVICE_443_NAME=tls", "SERVICE_80_NAME=web", "SERVICE_abc_NAME=x", "SERVICE_NAME=all");

        Assert.Equal(["80", "443", "9090"], settings.NamedPorts());
    }

    [Fact]
    public void Get_MeshLabelAndRegistrator_MeshLabelWins()
    {
        var settings = Read(new() { ["mesh.tags"] = "mesh", ["SERVICE_TAGS"] = "registrator" });

        Assert.Equal("mesh", settings.Get("mesh.tags", "TAGS", null)?.Value);
    }
}
