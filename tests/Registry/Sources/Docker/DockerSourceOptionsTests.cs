using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class DockerSourceOptionsTests
{
    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("tcp://docker-host:2376")]
    [InlineData("tcp://10.0.0.5:2375")]
    public void Validate_UsableEndpoint_HasNoErrors(string endpoint) =>
        Assert.Empty(new DockerSourceOptions { Endpoint = endpoint }.Validate());

    [Fact]
    public void Validate_NoEndpoint_IsTheSourceSwitchedOff_AndChecksNothingElse() =>
        Assert.Empty(new DockerSourceOptions { ReconcileInterval = TimeSpan.Zero, TlsCaFile = "/nowhere" }.Validate());

    [Theory]
    [InlineData("http://docker:2375")]
    [InlineData("tcp://docker")]
    [InlineData("unix://")]
    [InlineData("/var/run/docker.sock")]
    [InlineData("npipe:////./pipe/docker_engine")]
    public void Validate_EndpointThatIsNotUnixOrTcp_NamesTheKey(string endpoint)
    {
        var error = Assert.Single(new DockerSourceOptions { Endpoint = endpoint }.Validate());
        Assert.StartsWith("Mesh:Sources:Docker:Endpoint must be unix://", error, StringComparison.Ordinal);
        Assert.Contains(endpoint, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EveryProblem_IsReportedTogether_EachNamingItsKey()
    {
        var errors = new DockerSourceOptions
        {
            Endpoint = "unix:///var/run/docker.sock",
            HostAddress = "not an address",
            Node = "two words",
            ReconcileInterval = TimeSpan.Zero,
            MaxBackoff = TimeSpan.FromSeconds(-1),
            TlsCaFile = "/nowhere/ca.pem",
            TlsCertFile = "/nowhere/cert.pem",
        }.Validate();

        string[] keys = ["HostAddress", "Node", "ReconcileInterval", "MaxBackoff", "TlsCaFile, TlsCertFile and TlsKeyFile apply to a tcp://",
            "TlsCertFile and Mesh:Sources:Docker:TlsKeyFile go together", "TlsCaFile: file '/nowhere/ca.pem' does not exist",
            "TlsCertFile: file '/nowhere/cert.pem' does not exist"];
        foreach (var key in keys)
            Assert.Contains(errors, e => e.StartsWith("Mesh:Sources:Docker:" + key, StringComparison.Ordinal));
        Assert.Equal(keys.Length, errors.Count);
    }

    [Fact]
    public void Validate_TlsFilesThatExist_ForATcpEndpoint_HasNoErrors()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.Empty(new DockerSourceOptions
            {
                Endpoint = "tcp://docker-host:2376", TlsCaFile = file, TlsCertFile = file, TlsKeyFile = file,
            }.Validate());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
