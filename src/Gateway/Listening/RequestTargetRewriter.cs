using System.Buffers;
using static Mesh.Gateway.Listening.HttpSyntax;

namespace Mesh.Gateway.Listening;

/// <summary>
/// Copies one connection's request bytes to an output, percent-encoding each request-target's bytes &gt;= 0x80
/// (<see cref="PercentEncoding"/>). To know where request lines start it follows HTTP/1.1 framing the way Kestrel does:
/// request line, header lines, then a <c>Content-Length</c> or chunked body, then the next request line. At the first
/// thing it does not understand (a malformed line, a line over <see cref="MaxLineLength"/>), or once the connection is
/// handed to another protocol (an upgrade request, <c>CONNECT</c>, the HTTP/2 preface), it copies every further byte
/// untouched and Kestrel judges them. Whatever Kestrel refuses ends the connection after a 400, so agreeing with Kestrel
/// on every request it accepts is what keeps both on the same request boundaries.
/// </summary>
/// <remarks>
/// Not thread-safe: one instance per connection, fed by one reader. Lines are held back until they end (the caller
/// keeps them unconsumed in its source); bodies pass as they arrive. Within a buffer segment, unchanged bytes are
/// copied in one run; only a line crossing into the next segment is gathered into a copy.
/// </remarks>
internal sealed class RequestTargetRewriter
{
    /// <summary>The longest line held back whole, in bytes; a longer one ends rewriting.</summary>
    public const int MaxLineLength = 64 * 1024;

    private Http1Phase _phase = Http1Phase.RequestLine;
    private RequestFraming _framing;
    private long _remaining;
    private long _searched;
    private int _targetStart;
    private int _targetLength;

    public Http1Phase Phase => _phase;

    /// <summary>
    /// Writes to <paramref name="output"/> what of <paramref name="input"/> can be decided now and returns the position
    /// up to which <paramref name="input"/> was used; the bytes after it are the start of a line whose end has not
    /// arrived, to be offered again, with more bytes after them, on the next call.
    /// </summary>
    public SequencePosition Rewrite(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        while (!input.IsEmpty)
        {
            if (_phase == Http1Phase.PassThrough)
            {
                Copy(input, output);
                return input.End;
            }

            var used = TakeWithinSegment(input.FirstSpan, output);
            if (used > 0 || _phase == Http1Phase.PassThrough)
            {
                input = input.Slice(used);
                continue;
            }

            // The next line (or chunk-data CRLF) crosses into the next segment, or has not arrived whole.
            if (!TryTakeAcrossSegments(ref input, output)) return input.Start;
        }

        return input.End;
    }

    /// <summary>The source ended: what was held back goes to Kestrel untouched, to be judged as an incomplete request.</summary>
    public void Finish(ReadOnlySequence<byte> rest, IBufferWriter<byte> output)
    {
        if (rest.IsEmpty) return;
        _phase = Http1Phase.PassThrough;
        Copy(rest, output);
    }

    /// <summary>Takes every whole unit (line, body bytes, chunk-data CRLF) that lies within <paramref name="span"/>.</summary>
    private int TakeWithinSegment(ReadOnlySpan<byte> span, IBufferWriter<byte> output)
    {
        var at = 0;
        var copied = 0;
        while (at < span.Length && _phase != Http1Phase.PassThrough)
        {
            var rest = span[at..];
            if (_phase is Http1Phase.Body or Http1Phase.ChunkData)
            {
                at += (int)TakeBody(rest.Length);
            }
            else if (_phase == Http1Phase.ChunkDataEnd)
            {
                if (rest.Length < 2) break;
                if (!TakeChunkDataEnd(rest)) break;
                at += 2;
            }
            else if (_phase == Http1Phase.RequestLine && _searched == 0 && rest[0] is CR or LF)
            {
                // Kestrel skips CR and LF bytes before a request line; so does this, copying them.
                var skipped = rest.IndexOfAnyExcept(CR, LF);
                at += skipped < 0 ? rest.Length : skipped;
            }
            else
            {
                if (_searched >= rest.Length) break;
                var lf = rest[(int)_searched..].IndexOf(LF);
                if (lf < 0) break;

                var line = rest[..((int)_searched + lf + 1)];
                _searched = 0;
                var outcome = line.Length > MaxLineLength ? LineOutcome.PassThrough : TakeLine(line);
                if (outcome == LineOutcome.PassThrough) break;
                if (outcome == LineOutcome.EncodeTarget)
                {
                    output.Write(span[copied..at]);
                    WriteEncoded(line, output);
                    copied = at + line.Length;
                }

                at += line.Length;
            }
        }

        output.Write(span[copied..at]);
        return at;
    }

    private bool TryTakeAcrossSegments(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        if (_phase == Http1Phase.ChunkDataEnd)
        {
            if (input.Length < 2) return false;
            Span<byte> end = stackalloc byte[2];
            input.Slice(0, 2).CopyTo(end);
            if (TakeChunkDataEnd(end))
            {
                output.Write(end);
                input = input.Slice(2);
            }

            return true;
        }

        // Only the bytes that arrived since the last call are searched: a slow line costs its length, not its square.
        if (input.Slice(_searched).PositionOf(LF) is not { } lf)
        {
            _searched = input.Length;
            if (_searched > MaxLineLength || !CouldStartLine(input)) _phase = Http1Phase.PassThrough;
            return _phase == Http1Phase.PassThrough;
        }

        _searched = 0;
        var line = input.Slice(0, input.GetPosition(1, lf));
        if (line.Length > MaxLineLength)
        {
            _phase = Http1Phase.PassThrough;
            return true;
        }

        var copy = ArrayPool<byte>.Shared.Rent((int)line.Length);
        try
        {
            var gathered = copy.AsSpan(0, (int)line.Length);
            line.CopyTo(gathered);
            switch (TakeLine(gathered))
            {
                case LineOutcome.PassThrough:
                    return true;
                case LineOutcome.EncodeTarget:
                    WriteEncoded(gathered, output);
                    break;
                default:
                    output.Write(gathered);
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }

        input = input.Slice(line.End);
        return true;
    }

    private long TakeBody(long available)
    {
        var taken = Math.Min(_remaining, available);
        _remaining -= taken;
        if (_remaining == 0) _phase = _phase == Http1Phase.Body ? Http1Phase.RequestLine : Http1Phase.ChunkDataEnd;
        return taken;
    }

    private bool TakeChunkDataEnd(ReadOnlySpan<byte> next)
    {
        _phase = next is [CR, LF, ..] ? Http1Phase.ChunkSize : Http1Phase.PassThrough;
        return _phase == Http1Phase.ChunkSize;
    }

    /// <summary>Reads one whole line, LF included, moves to the next phase, and says how to copy it.</summary>
    private LineOutcome TakeLine(ReadOnlySpan<byte> line)
    {
        var content = line[..^1];
        var endsWithCrLf = content is [.., CR];
        if (endsWithCrLf) content = content[..^1];

        // A CR that does not end the line is refused by Kestrel, or (in a chunk extension) skipped by older Kestrels:
        // either way this cannot be sure where Kestrel ends the line.
        if (content.Contains(CR)) return PassThrough();

        switch (_phase)
        {
            case Http1Phase.RequestLine:
                if (!RequestLine.TryParse(content, out var request) || request.HandsOverConnection) return PassThrough();
                _framing = default;
                _phase = Http1Phase.Headers;
                if (!PercentEncoding.NeedsEncoding(line.Slice(request.TargetStart, request.TargetLength))) return LineOutcome.Unchanged;
                (_targetStart, _targetLength) = (request.TargetStart, request.TargetLength);
                return LineOutcome.EncodeTarget;

            case Http1Phase.Headers when content.IsEmpty:
                _phase = _framing.BodyPhase(out _remaining);
                return LineOutcome.Unchanged;

            case Http1Phase.Headers:
                return _framing.TryAdd(content) ? LineOutcome.Unchanged : PassThrough();

            case Http1Phase.ChunkSize:
                // Kestrel ends a chunk-size line at CRLF only.
                if (!endsWithCrLf || !ChunkSizeLine.TryParse(content, out _remaining)) return PassThrough();
                _phase = _remaining > 0 ? Http1Phase.ChunkData : Http1Phase.Trailers;
                return LineOutcome.Unchanged;

            case Http1Phase.Trailers when content.IsEmpty:
                _phase = Http1Phase.RequestLine;
                return LineOutcome.Unchanged;

            case Http1Phase.Trailers:
                return HeaderLine.TrySplit(content, out _, out _) ? LineOutcome.Unchanged : PassThrough();

            default:
                throw new InvalidOperationException($"No line is read in phase {_phase}.");
        }
    }

    private LineOutcome PassThrough()
    {
        _phase = Http1Phase.PassThrough;
        return LineOutcome.PassThrough;
    }

    /// <summary>Writes the request line <see cref="TakeLine"/> just read with its target percent-encoded.</summary>
    private void WriteEncoded(ReadOnlySpan<byte> line, IBufferWriter<byte> output)
    {
        var targetEnd = _targetStart + _targetLength;
        output.Write(line[.._targetStart]);
        PercentEncoding.WriteEncoded(line[_targetStart..targetEnd], output);
        output.Write(line[targetEnd..]);
    }

    private bool CouldStartLine(ReadOnlySequence<byte> held)
    {
        if (_phase is not (Http1Phase.RequestLine or Http1Phase.ChunkSize)) return true;

        Span<byte> prefix = stackalloc byte[RequestLine.PrefixLength];
        prefix = prefix[..(int)Math.Min(held.Length, prefix.Length)];
        held.Slice(0, prefix.Length).CopyTo(prefix);
        return _phase == Http1Phase.RequestLine ? RequestLine.CouldStart(prefix) : ChunkSizeLine.CouldStart(prefix);
    }

    private static void Copy(ReadOnlySequence<byte> bytes, IBufferWriter<byte> output)
    {
        foreach (var segment in bytes) output.Write(segment.Span);
    }
}
