using Mesh.Host.Api.Consul.Blocking;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Mesh.Host.Tests.Api.Consul.Blocking;

public sealed class BlockingQueryTests
{
    [Theory]
    [InlineData("", 0, 300)]
    [InlineData("?index=42", 42, 300)]
    [InlineData("?index=42&wait=30s", 42, 30)]
    [InlineData("?index=7&wait=0s", 7, 300)]
    [InlineData("?index=7&wait=1h", 7, 600)]
    public void Parse_IndexAndWait_DefaultFiveMinutesAtMostTen(string queryString, long index, int waitSeconds)
    {
        var (query, error) = BlockingQuery.Parse(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(queryString)));

        Assert.Null(error);
        Assert.Equal(index, query!.MinIndex);
        Assert.Equal(TimeSpan.FromSeconds(waitSeconds), query.Wait);
        Assert.Equal(index > 0, query.Blocks);
    }

    [Theory]
    [InlineData("?index=abc", "Invalid index")]
    [InlineData("?index=-1", "Invalid index")]
    [InlineData("?index=1&wait=30", "Invalid wait")]
    [InlineData("?index=1&wait=soon", "Invalid wait")]
    public void Parse_BadIndexOrWait_SaysWhich(string queryString, string message)
    {
        var (query, error) = BlockingQuery.Parse(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(queryString)));

        Assert.Null(query);
        Assert.Contains(message, error);
    }

    [Fact]
    public void WaitWithJitter_AddsAtMostOneSixteenth()
    {
        var query = new BlockingQuery(1, null, TimeSpan.FromSeconds(16));
        for (var i = 0; i < 100; i++)
        {
            var wait = query.WaitWithJitter();
            Assert.InRange(wait, TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(17));
        }
    }
}
