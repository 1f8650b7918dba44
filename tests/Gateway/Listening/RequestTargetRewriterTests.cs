using Mesh.Gateway.Listening;
using static Mesh.Gateway.Tests.Listening.RewriterHarness;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>
/// The rewriting of a connection's bytes, each case fed whole, in small pieces and one byte at a time: the output must
/// not depend on how the bytes arrive. The last column: whether the rewriter still rewrites after the input, or has
/// handed the rest of the connection to Kestrel untouched.
/// </summary>
public sealed class RequestTargetRewriterTests
{
    private const string Encoded = "/%E6%90%9C%E7%B4%A2/%E7%94%B5%E5%BD%B1?q=%E5%BD%B1%E9%99%A2";
    private const string Raw = "/搜索/电影?q=影院";

    public static readonly TheoryData<string, string, string, bool> Cases = new()
    {
        {
            "ASCII request unchanged",
            "GET /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n", true
        },
        {
            "raw UTF-8 path and query encoded",
            $"GET {Raw} HTTP/1.1\r\nHost: x\r\n\r\n",
            $"GET {Encoded} HTTP/1.1\r\nHost: x\r\n\r\n", true
        },
        {
            "already encoded bytes and %2F kept",
            "GET /a%2Fb/%E6%90%9C?x=%25 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a%2Fb/%E6%90%9C?x=%25 HTTP/1.1\r\nHost: x\r\n\r\n", true
        },
        {
            "mixed raw and encoded",
            "GET /é%C3%A9 HTTP/1.0\r\n\r\n",
            "GET /%C3%A9%C3%A9 HTTP/1.0\r\n\r\n", true
        },
        {
            "non-ASCII header value untouched",
            "GET /é HTTP/1.1\r\nX-Name: José\r\n\r\n",
            "GET /%C3%A9 HTTP/1.1\r\nX-Name: José\r\n\r\n", true
        },
        {
            "Content-Length body untouched, next request line rewritten",
            "POST /é HTTP/1.1\r\ncontent-LENGTH: 27\r\n\r\nGET /é HTTP/1.1\r\nX: ü\r\n\r\nGET /ü HTTP/1.1\r\n\r\n",
            "POST /%C3%A9 HTTP/1.1\r\ncontent-LENGTH: 27\r\n\r\nGET /é HTTP/1.1\r\nX: ü\r\n\r\nGET /%C3%BC HTTP/1.1\r\n\r\n", true
        },
        {
            "chunked body with extensions and trailers untouched",
            "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
                + "4;name=value\r\nGET \r\n12 ; a=\"b\"\r\n/é HTTP/1.1\r\n\r\nGE\r\n0\r\nX-Trailer: é\r\n\r\n"
                + "GET /ü HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
                + "4;name=value\r\nGET \r\n12 ; a=\"b\"\r\n/é HTTP/1.1\r\n\r\nGE\r\n0\r\nX-Trailer: é\r\n\r\n"
                + "GET /%C3%BC HTTP/1.1\r\n\r\n", true
        },
        {
            "chunked without trailers",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\né!\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\né!\r\n0\r\n\r\nGET /%C3%A9 HTTP/1.1\r\n\r\n", true
        },
        {
            "empty lines before a request line kept",
            "\r\n\r\nGET /é HTTP/1.1\r\n\r\n\r\nGET /ü HTTP/1.1\r\n\r\n",
            "\r\n\r\nGET /%C3%A9 HTTP/1.1\r\n\r\n\r\nGET /%C3%BC HTTP/1.1\r\n\r\n", true
        },
        {
            "bare LF line ends",
            "GET /é HTTP/1.1\nHost: x\n\n",
            "GET /%C3%A9 HTTP/1.1\nHost: x\n\n", true
        },
        {
            "Expect 100-continue: body counted as it comes",
            "PUT /é HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\néGET /é HTTP/1.1\r\n\r\n",
            "PUT /%C3%A9 HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\néGET /%C3%A9 HTTP/1.1\r\n\r\n", true
        },
        {
            "upgrade request: later bytes untouched",
            "GET /é HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "GET /%C3%A9 HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "CONNECT: untouched from its line on",
            "CONNECT é.example:443 HTTP/1.1\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "CONNECT é.example:443 HTTP/1.1\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "HTTP/2 preface: untouched from the start",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0GET /é HTTP/1.1\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0GET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "HTTP/0.9 style line: untouched from it on",
            "GET /é\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "GET /é\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "unknown version: untouched",
            "GET /é HTTP/1.2\r\n\r\n",
            "GET /é HTTP/1.2\r\n\r\n", false
        },
        {
            "bare CR in request line: untouched",
            "GET /é\rX HTTP/1.1\r\n\r\n",
            "GET /é\rX HTTP/1.1\r\n\r\n", false
        },
        {
            "folded header line: untouched from it on",
            "GET /é HTTP/1.1\r\nA: b\r\n c\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "GET /%C3%A9 HTTP/1.1\r\nA: b\r\n c\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "two Content-Lengths: untouched from the second",
            "POST /é HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxGET /é HTTP/1.1\r\n\r\n",
            "POST /%C3%A9 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "non-numeric Content-Length: untouched from it",
            "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nxGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nxGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "Content-Length and Transfer-Encoding: untouched after the headers",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "bad chunk size: untouched from it",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "chunk-size line ended by a bare LF: untouched from it",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\nx\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\nx\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "chunk data not followed by CRLF: untouched from there",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\nGET /é HTTP/1.1\r\n\r\n", false
        },
        {
            "chunk size above int.MaxValue: untouched from it",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n80000000\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n80000000\r\n", false
        },
        {
            "incomplete request line at the end: passed as it is",
            "GET /é HTTP/1.1\r\n\r\nGET /é HT",
            "GET /%C3%A9 HTTP/1.1\r\n\r\nGET /é HT", false
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rewrite_AnyChunking_SameOutput(string scenario, string input, string expected, bool stillRewriting)
    {
        foreach (var chunk in new[] { int.MaxValue, 7, 2, 1 })
        {
            var (output, endPhase) = Rewrite(Bytes(input), chunk);

            Assert.True(Bytes(expected).AsSpan().SequenceEqual(output), $"{scenario}, {chunk}-byte pieces: {System.Text.Encoding.UTF8.GetString(output)}");
            Assert.Equal(stillRewriting, endPhase != Http1Phase.PassThrough);
        }
    }

    [Fact]
    public void Rewrite_BodyWithInvalidUtf8_ByteForByte()
    {
        byte[] body = [0x80, 0xFF, 0xC3, (byte)'\r', (byte)'\n', 0xFE, 0x00, 0x25];
        byte[] input = [.. Bytes($"POST /é HTTP/1.1\r\nContent-Length: {body.Length}\r\n\r\n"), .. body, .. Bytes("GET /é HTTP/1.1\r\n\r\n")];
        byte[] expected = [.. Bytes($"POST /%C3%A9 HTTP/1.1\r\nContent-Length: {body.Length}\r\n\r\n"), .. body, .. Bytes("GET /%C3%A9 HTTP/1.1\r\n\r\n")];

        Assert.Equal(expected, Rewrite(input, 3).Output);
    }

    [Fact]
    public void Rewrite_LongTargetSpanningSegments_Encoded()
    {
        var target = "/" + string.Concat(Enumerable.Repeat("é", 6000));
        var encoded = "/" + string.Concat(Enumerable.Repeat("%C3%A9", 6000));

        var (output, _) = Rewrite(Bytes($"GET {target} HTTP/1.1\r\n\r\n"), 1000);

        Assert.Equal($"GET {encoded} HTTP/1.1\r\n\r\n", System.Text.Encoding.UTF8.GetString(output));
    }

    [Fact]
    public void Rewrite_LineLongerThanLimit_UntouchedFromIt()
    {
        var header = "X: " + new string('a', RequestTargetRewriter.MaxLineLength);
        var input = $"GET /é HTTP/1.1\r\n{header}\r\n\r\nGET /é HTTP/1.1\r\n\r\n";

        var (output, phase) = Rewrite(Bytes(input), 4096);

        Assert.Equal($"GET /%C3%A9 HTTP/1.1\r\n{header}\r\n\r\nGET /é HTTP/1.1\r\n\r\n", System.Text.Encoding.UTF8.GetString(output));
        Assert.Equal(Http1Phase.PassThrough, phase);
    }
}
