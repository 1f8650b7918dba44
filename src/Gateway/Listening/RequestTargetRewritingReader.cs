using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Mesh.Gateway.Listening;

/// <summary>
/// The connection's input as Kestrel reads it once <see cref="RequestTargetRewriter"/> has percent-encoded the request
/// targets. Rewritten bytes go into a pipe of its own, so the positions Kestrel passes to <see cref="AdvanceTo(SequencePosition, SequencePosition)"/>
/// are positions in the buffers this reader returned. No background loop: a read that finds nothing new in that pipe
/// reads the source on the caller's own flow, so Kestrel's scheduling, and synchronous reads, behave as without it.
/// </summary>
/// <remarks>
/// Completion travels both ways: completing this reader completes the source; the source's end, or its fault, reaches
/// Kestrel through this reader after the bytes before it.
/// </remarks>
internal sealed class RequestTargetRewritingReader : PipeReader
{
    private readonly PipeReader _source;
    private readonly Pipe _rewritten;
    private readonly RequestTargetRewriter _rewriter = new();
    private bool _sourceEnded;
    private bool _completed;

    public RequestTargetRewritingReader(PipeReader source, MemoryPool<byte>? pool)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        // Never pausing the writer is safe: the source is read only when Kestrel asks for more than it has, so this
        // pipe holds at most what Kestrel holds plus one read of the source, which Kestrel's buffer limit bounds.
        _rewritten = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline,
            pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    }

    /// <summary>Where the rewriter stands; for tests.</summary>
    internal Http1Phase Phase => _rewriter.Phase;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var read = _rewritten.Reader.ReadAsync(cancellationToken);
        return read.IsCompleted || _sourceEnded ? read : PullUntilReadableAsync(read, cancellationToken);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_sourceEnded)
        {
            try
            {
                if (_source.TryRead(out var pulled)) Move(pulled);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }

        return _rewritten.Reader.TryRead(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => _rewritten.Reader.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _rewritten.Reader.AdvanceTo(consumed, examined);

    /// <summary>
    /// Cancels the source's read too, which a pending read may be waiting on. A source cancellation that no read was
    /// waiting on only makes the next pull read again.
    /// </summary>
    public override void CancelPendingRead()
    {
        _rewritten.Reader.CancelPendingRead();
        _source.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed) return;
        _completed = true;
        _rewritten.Reader.Complete(exception);
        _rewritten.Writer.Complete();
        _source.Complete(exception);
    }

    /// <summary>Reads the source until the rewritten pipe has something new for <paramref name="read"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> PullUntilReadableAsync(ValueTask<ReadResult> read, CancellationToken cancellationToken)
    {
        try
        {
            while (!read.IsCompleted && !_sourceEnded)
            {
                // A canceled result (CancelPendingRead) still carries the buffer; read itself then ends canceled.
                Move(await _source.ReadAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // read was registered with the same token and ends with the same exception.
        }
        catch (Exception e)
        {
            Fail(e);
        }

        return await read.ConfigureAwait(false);
    }

    private void Move(ReadResult pulled)
    {
        var buffer = pulled.Buffer;
        var used = _rewriter.Rewrite(buffer, _rewritten.Writer);
        if (pulled.IsCompleted)
        {
            _rewriter.Finish(buffer.Slice(used), _rewritten.Writer);
            used = buffer.End;
        }

        _source.AdvanceTo(used, buffer.End);
        if (_rewritten.Writer.UnflushedBytes > 0)
        {
            // Never pauses (no threshold), so it completes at once.
            _rewritten.Writer.FlushAsync().GetAwaiter().GetResult();
        }

        if (pulled.IsCompleted)
        {
            _sourceEnded = true;
            _rewritten.Writer.Complete();
        }
    }

    private void Fail(Exception error)
    {
        _sourceEnded = true;
        _rewritten.Writer.Complete(error);
    }
}
