using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>A bad configuration stops Mesh at start with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("MESH__API__URL", "nonsense", "Mesh:Api:Url")]
    [InlineData("MESH__ROLE", "banana", "Mesh:Role")]
    [InlineData("MESH__ROLE", "edge", "Mesh:Store:Kind")] // a cluster role on the embedded store
    [InlineData("MESH__ROLE", "registry", "Mesh:Bus:Transport")] // ... and on the in-process bus
    [InlineData("MESH__STORE__KIND", "postgres", "Mesh:Store:ConnectionString")]
    [InlineData("MESH__PROJECTIONS__SNAPSHOTEVERY", "0", "Mesh:Projections:SnapshotEvery")]
    [InlineData("MESH__GATEWAY__GRACE", "soon", "Mesh:Gateway:Grace")]
    [InlineData("MESH__GATEWAY__RETRIES", "50", "Mesh:Gateway:Retries")]
    [InlineData("MESH__GATEWAY__URL", "ftp://x", "Mesh:Gateway:Url")]
    [InlineData("MESH__GATEWAY__HTTPSURL", "https://127.0.0.1:0", "Mesh:Gateway:Certificates:0:Path")]
    public async Task Start_BadValue_ExitsNonZeroAndStderrNamesTheKey(string variable, string value, string key)
    {
        using var dir = new TempDirectory();
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?> { [variable] = value });

        var exitCode = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode != 0, $"mesh exited with 0 for {variable}={value}{mesh.Describe()}");
        Assert.Contains(key, mesh.StandardError, StringComparison.Ordinal);
    }
}
