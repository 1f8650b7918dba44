using Mesh.Registry.Sources.Marathon;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonServiceNamesTests
{
    [Theory]
    [InlineData("/movie-backend/bis-gateway", "bis-gateway-movie-backend")]
    [InlineData("/web", "web")]
    [InlineData("/a/b/c", "c-b-a")]
    [InlineData("/Shop/Cart_V2", "cart-v2-shop")]
    [InlineData("/asgard-dev/bla", "bla-asgard-dev")]
    [InlineData("/--x--/", "x")]
    [InlineData("/", "")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void FromAppId_AppId_NameThenGroupsInnermostFirst(string? appId, string expected) =>
        Assert.Equal(expected, MarathonServiceNames.FromAppId(appId));

    [Fact]
    public void FromAppId_LongId_CutTo63WithoutTrailingDash()
    {
        var name = MarathonServiceNames.FromAppId("/g/" + new string('a', 62));

        Assert.Equal(new string('a', 62), name);
    }
}
