using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class ContainerFingerprintTests
{
    [Theory]
    [InlineData("Up 5 minutes (healthy)", "healthy")]
    [InlineData("Up 2 seconds (unhealthy)", "unhealthy")]
    [InlineData("Up 3 seconds (health: starting)", "starting")]
    [InlineData("Up 1 second (Paused)", null)]
    [InlineData("Up About a minute", null)]
    [InlineData(null, null)]
    public void HealthFromStatus_ListStatusText_GivesTheHealthInspectWouldGive(string? status, string? health) =>
        Assert.Equal(health, ContainerFingerprint.HealthFromStatus(status));
}
