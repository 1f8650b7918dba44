using Mesh.Registry.Sources.Marathon;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

public sealed class MarathonSseParserTests
{
    [Theory]
    [InlineData("sse-sample.txt")]
    [InlineData("sse-events-raml-example.txt")]
    [InlineData("sse-captured-blanklines.txt")]
    public void ParseAll_FixtureStream_EveryFrameIsOneJsonEventThatMaps(string file)
    {
        var frames = MarathonSseParser.ParseAll(MarathonFixtures.Read(file));

        Assert.NotEmpty(frames);
        Assert.All(frames, frame => Assert.IsNotType<MarathonMalformed>(MarathonEvents.Parse(frame.EventName, frame.Data)));
    }

    [Fact]
    public void ParseAll_BlankLinesBetweenEventAndData_StillYieldsTheData()
    {
        var frames = MarathonSseParser.ParseAll(MarathonFixtures.Read("sse-captured-blanklines.txt"));

        Assert.Contains(frames, f => MarathonEvents.Parse(f.EventName, f.Data) is MarathonObservations);
    }

    [Fact]
    public void Feed_MultipleDataLinesAndComments_JoinedWithNewline()
    {
        var parser = new MarathonSseParser();

        Assert.Null(parser.Feed(": keepalive"));
        Assert.Null(parser.Feed("event: x"));
        Assert.Null(parser.Feed("data: a"));
        Assert.Null(parser.Feed("data:b"));
        var frame = parser.Feed("");

        Assert.Equal(new SseFrame("x", "a\nb"), frame);
        Assert.Null(parser.Feed(""));
    }
}
