using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

public sealed class ServiceNamesTests
{
    [Theory]
    [InlineData("/web", null, "web")]
    [InlineData("/Shop_Cart.v2", null, "shop-cart-v2")]
    [InlineData("/--odd__name--", null, "odd-name")]
    [InlineData("/café-bar", null, "caf-bar")]
    [InlineData("/shop-cart-2", "2", "shop-cart")] // Compose v2 replica
    [InlineData("/shop_cart_12", "12", "shop-cart")] // Compose v1 replica
    [InlineData("/db-2", null, "db-2")] // no compose label: the number is part of the name
    [InlineData("/db-2", "3", "db-2")] // a compose container_name without the replica suffix
    [InlineData("/___", null, "")]
    [InlineData("", null, "")]
    [InlineData(null, null, "")]
    public void FromContainerName_Name_DnsLabel(string? containerName, string? composeNumber, string expected) =>
        Assert.Equal(expected, ServiceNames.FromContainerName(containerName, composeNumber));

    [Fact]
    public void FromContainerName_LongName_CutTo63WithoutTrailingDash()
    {
        var name = ServiceNames.FromContainerName("/" + new string('a', 62) + "_b", null);

        Assert.Equal(new string('a', 62), name);
    }
}
