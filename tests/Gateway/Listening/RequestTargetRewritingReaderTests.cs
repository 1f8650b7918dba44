using System.Buffers;
using System.IO.Pipelines;
using Mesh.Gateway.Listening;
using static Mesh.Gateway.Tests.Listening.RewriterHarness;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>The reader's PipeReader contract: reads that wait, cancellation, and completion and errors in both directions.</summary>
public sealed class RequestTargetRewritingReaderTests
{
    private readonly Pipe _source = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
    private readonly RequestTargetRewritingReader _reader;

    public RequestTargetRewritingReaderTests() => _reader = new RequestTargetRewritingReader(_source.Reader, pool: null);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_BytesArriveOneAtATime_WaitsForWholeLinesAndRewrites()
    {
        var input = Bytes("GET /é HTTP/1.1\r\nHost: x\r\n\r\nPOST /ü HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        var writing = Task.Run(async () =>
        {
            foreach (var b in input)
            {
                await _source.Writer.WriteAsync(new[] { b }, Ct);
                await Task.Yield();
            }

            await _source.Writer.CompleteAsync();
        }, Ct);

        var output = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await _reader.ReadAsync(Ct);
            foreach (var segment in result.Buffer) output.Write(segment.Span);
            _reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }

        await writing;
        Assert.Equal("GET /%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\nPOST /%C3%BC HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            System.Text.Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public async Task ReadAsync_ExaminedButNotConsumed_WaitsForMoreThenReturnsAll()
    {
        await _source.Writer.WriteAsync(Bytes("GET /a HTTP/1.1\r\n"), Ct);
        var first = await _reader.ReadAsync(Ct);
        _reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var second = _reader.ReadAsync(Ct);
        Assert.False(second.IsCompleted);
        await _source.Writer.WriteAsync(Bytes("\r\n"), Ct);

        Assert.Equal("GET /a HTTP/1.1\r\n\r\n", System.Text.Encoding.UTF8.GetString((await second).Buffer.ToArray()));
    }

    [Fact]
    public async Task ReadAsync_IncompleteTlsHandshake_PassedAtOnce()
    {
        await _source.Writer.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02 }, Ct);

        var result = await _reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Equal([0x16, 0x03, 0x01, 0x02], result.Buffer.ToArray());
    }

    [Fact]
    public async Task CancelPendingRead_WhileWaitingOnSource_ReadEndsCanceled()
    {
        var read = _reader.ReadAsync(Ct);
        Assert.False(read.IsCompleted);

        _reader.CancelPendingRead();
        var result = await read.AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.True(result.IsCanceled);
        _reader.AdvanceTo(result.Buffer.Start);
        await _source.Writer.WriteAsync(Bytes("GET /é HTTP/1.1\r\n"), Ct);
        Assert.Equal("GET /%C3%A9 HTTP/1.1\r\n", System.Text.Encoding.UTF8.GetString((await _reader.ReadAsync(Ct)).Buffer.ToArray()));
    }

    [Fact]
    public async Task ReadAsync_TokenCanceled_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var read = _reader.ReadAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
    }

    [Fact]
    public async Task ReadAsync_SourceFaulted_SameErrorAfterTheBytesBeforeIt()
    {
        await _source.Writer.WriteAsync(Bytes("GET /é HTTP/1.1\r\n"), Ct);
        var first = await _reader.ReadAsync(Ct);
        _reader.AdvanceTo(first.Buffer.End);

        await _source.Writer.CompleteAsync(new IOException("connection reset"));

        var error = await Assert.ThrowsAsync<IOException>(async () => await _reader.ReadAsync(Ct));
        Assert.Equal("connection reset", error.Message);
    }

    [Fact]
    public async Task ReadAsync_SourceEnded_CompletedAfterItsBytes()
    {
        await _source.Writer.WriteAsync(Bytes("GET /é HTTP/1.1\r\n\r\n"), Ct);
        await _source.Writer.CompleteAsync();

        var result = await _reader.ReadAsync(Ct);

        Assert.True(result.IsCompleted);
        Assert.Equal("GET /%C3%A9 HTTP/1.1\r\n\r\n", System.Text.Encoding.UTF8.GetString(result.Buffer.ToArray()));
    }

    [Fact]
    public async Task Complete_CompletesTheSource()
    {
        _reader.Complete();

        var flush = await _source.Writer.WriteAsync(Bytes("GET / HTTP/1.1\r\n"), Ct);

        Assert.True(flush.IsCompleted);
    }
}
