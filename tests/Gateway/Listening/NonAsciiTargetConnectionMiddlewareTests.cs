using System.Net;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>
/// Real Kestrel, exact bytes: a listener with <c>UseNonAsciiRequestTargets()</c> driven over raw sockets, and one
/// without it to show what the middleware fixes.
/// </summary>
public sealed class NonAsciiTargetConnectionMiddlewareTests : IAsyncLifetime
{
    private const string RawTarget = "/搜索/电影?q=影院";
    private const string EncodedTarget = "/%E6%90%9C%E7%B4%A2/%E7%94%B5%E5%BD%B1?q=%E5%BD%B1%E9%99%A2";

    private EchoServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private int Port => _server!.Port;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync(rewriteTargets: true, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task RawUtf8PathAndQuery_WithoutMiddleware_400()
    {
        await using var plain = await EchoServer.StartAsync(rewriteTargets: false, Ct);
        await using var connection = await RawHttpConnection.OpenAsync(plain.Port, Ct);

        await connection.SendAsync($"GET {RawTarget} HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(400, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task RawUtf8PathAndQuery_Encoded_PathDecodedBack()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendAsync($"GET {RawTarget} HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal(EncodedTarget, response.Echo.RawTarget);
        Assert.Equal("/搜索/电影", response.Echo.Path);
        Assert.Equal("?q=%E5%BD%B1%E9%99%A2", response.Echo.Query);
    }

    [Fact]
    public async Task EncodedSlash_Unchanged()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendAsync("GET /a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n");
        var echo = (await connection.ReadResponseAsync()).Echo;

        Assert.Equal("/a%2Fb", echo.RawTarget);
        Assert.Equal("/a%2Fb", echo.Path);
    }

    [Fact]
    public async Task ThreePipelinedRequestsInOneWrite_EachAnsweredAndBodyByteForByte()
    {
        // Bytes >= 0x80 that are not UTF-8, and a line that looks like a request line with a raw target.
        byte[] body = [0xE6, 0x90, 0x9C, 0x80, 0xFF, .. Encoding.UTF8.GetBytes("\r\nGET /é HTTP/1.1\r\n\r\n")];
        byte[] requests =
        [
            .. Encoding.UTF8.GetBytes("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"),
            .. Encoding.UTF8.GetBytes($"POST /é HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n"), .. body,
            .. Encoding.UTF8.GetBytes($"GET {RawTarget} HTTP/1.1\r\nHost: x\r\n\r\n"),
        ];
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendAsync(requests);
        var first = await connection.ReadResponseAsync();
        var second = await connection.ReadResponseAsync();
        var third = await connection.ReadResponseAsync();

        Assert.Equal(("/first", 200), (first.Echo.RawTarget, first.Status));
        Assert.Equal(("/%C3%A9", 200), (second.Echo.RawTarget, second.Status));
        Assert.Equal(body, second.Echo.Body);
        Assert.Equal((EncodedTarget, 200), (third.Echo.RawTarget, third.Status));
    }

    [Fact]
    public async Task ChunkedPostThenRawUtf8Get_SameConnection_BothAnswered()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendAsync(
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;note=x\r\nüé\r\n14\r\n\r\nGET /é HTTP/1.1\r\n\r\n0\r\nX-Checksum: 1\r\n\r\n"
            + $"GET {RawTarget} HTTP/1.1\r\nHost: x\r\n\r\n");
        var post = await connection.ReadResponseAsync();
        var get = await connection.ReadResponseAsync();

        Assert.Equal(200, post.Status);
        Assert.Equal("üé\r\nGET /é HTTP/1.1\r\n", Encoding.UTF8.GetString(post.Echo.Body));
        Assert.Equal((EncodedTarget, 200), (get.Echo.RawTarget, get.Status));
    }

    [Fact]
    public async Task RequestSplitIntoOneByteWrites_Answered()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendByteByByteAsync(Encoding.UTF8.GetBytes($"POST {RawTarget} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbé"));
        var response = await connection.ReadResponseAsync();

        Assert.Equal((EncodedTarget, 200), (response.Echo.RawTarget, response.Status));
        Assert.Equal("bé", Encoding.UTF8.GetString(response.Echo.Body));
    }

    [Fact]
    public async Task Expect100Continue_BodySentAfterContinue_Answered()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Port, Ct);

        await connection.SendAsync($"PUT {RawTarget} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        var interim = await connection.ReadResponseAsync();
        await connection.SendAsync("é");
        var response = await connection.ReadResponseAsync();

        Assert.Equal(100, interim.Status);
        Assert.Equal((EncodedTarget, 200), (response.Echo.RawTarget, response.Status));
        Assert.Equal("é", Encoding.UTF8.GetString(response.Echo.Body));
    }

    [Fact]
    public async Task HttpClientRequest_Answered()
    {
        using var client = new HttpClient();

        var body = await client.GetByteArrayAsync(new Uri($"http://127.0.0.1:{Port}/plain?x=1"), Ct);

        Assert.Equal(("HTTP/1.1", "/plain?x=1"), (Echo.Parse(body).Protocol, Echo.Parse(body).RawTarget));
    }

    [Fact]
    public async Task Http2PriorKnowledge_Http2Endpoint_PassesThrough()
    {
        // Kestrel serves HTTP/2 without TLS (h2c, prior knowledge) only on an HTTP/2-only endpoint.
        await using var h2 = await EchoServer.StartAsync(rewriteTargets: true, Ct, HttpProtocols.Http2);
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        // A body that holds what, in HTTP/1.1, would be a request line to rewrite.
        var sent = Encoding.UTF8.GetBytes("GET /é HTTP/1.1\r\n\r\n");

        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{h2.Port}/h2/%C3%A9"), new ByteArrayContent(sent), Ct);
        var echo = Echo.Parse(await response.Content.ReadAsByteArrayAsync(Ct));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(("HTTP/2", "/h2/%C3%A9", "/h2/é"), (echo.Protocol, echo.RawTarget, echo.Path));
        Assert.Equal(sent, echo.Body);
    }

    [Fact]
    public async Task Http2Preface_Http1AndHttp2Endpoint_SameAnswerAsWithoutMiddleware()
    {
        // Without TLS such an endpoint speaks HTTP/1.1 only, and answers the preface with GOAWAY HTTP_1_1_REQUIRED.
        await using var plain = await EchoServer.StartAsync(rewriteTargets: false, Ct);
        byte[] preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 0x04, 0, 0, 0, 0, 0];

        var withMiddleware = await RawHttpConnection.ExchangeAsync(Port, preface, Ct);
        var without = await RawHttpConnection.ExchangeAsync(plain.Port, preface, Ct);

        Assert.Equal(without, withMiddleware);
        Assert.Equal(0x07, withMiddleware[3]); // a GOAWAY frame
    }
}
