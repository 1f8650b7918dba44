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
/// keeps them unconsumed in its source); bodies pass as they arrive.
/// </remarks>
internal sealed class RequestTargetRewriter
{
    /// <summary>The longest line held back whole, in bytes; a longer one ends rewriting.</summary>
    public const int MaxLineLength = 64 * 1024;

    private Http1Phase _phase = Http1Phase.RequestLine;
    private RequestFraming _framing;
    private long _remaining;
    private long _searched;

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
            switch (_phase)
            {
                case Http1Phase.PassThrough:
                    Copy(input, output);
                    return input.End;
                case Http1Phase.Body or Http1Phase.ChunkData:
                    input = TakeBody(input, output);
                    break;
                case Http1Phase.ChunkDataEnd:
                    if (input.Length < 2) return input.Start;
                    input = TakeChunkDataEnd(input, output);
                    break;
                case Http1Phase.RequestLine when _searched == 0 && input.FirstSpan[0] is CR or LF:
                    input = TakeEmptyLines(input, output);
                    break;
                default:
                    if (!TryTakeLine(ref input, output)) return input.Start;
                    break;
            }
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

    private ReadOnlySequence<byte> TakeBody(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        var body = input.Slice(0, Math.Min(_remaining, input.Length));
        Copy(body, output);
        _remaining -= body.Length;
        if (_remaining == 0) _phase = _phase == Http1Phase.Body ? Http1Phase.RequestLine : Http1Phase.ChunkDataEnd;
        return input.Slice(body.End);
    }

    private ReadOnlySequence<byte> TakeChunkDataEnd(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        Span<byte> end = stackalloc byte[2];
        input.Slice(0, 2).CopyTo(end);
        if (end is not [CR, LF])
        {
            _phase = Http1Phase.PassThrough;
            return input;
        }

        output.Write(end);
        _phase = Http1Phase.ChunkSize;
        return input.Slice(2);
    }

    /// <summary>Kestrel skips CR and LF bytes before a request line; so does this, copying them.</summary>
    private static ReadOnlySequence<byte> TakeEmptyLines(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        var first = input.FirstSpan;
        var count = first.IndexOfAnyExcept(CR, LF);
        if (count < 0) count = first.Length;
        output.Write(first[..count]);
        return input.Slice(count);
    }

    private bool TryTakeLine(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        // Only the bytes that arrived since the last call are searched: a slow line costs its length, not its square.
        if (input.Slice(_searched).PositionOf(LF) is not { } lf)
        {
            _searched = input.Length;
            if (_searched > MaxLineLength || !CouldStartLine(input)) _phase = Http1Phase.PassThrough;
            return _phase == Http1Phase.PassThrough;
        }

        _searched = 0;
        var line = input.Slice(0, input.GetPosition(1, lf));
        if (line.Length > MaxLineLength || !TryTakeLine(line, output))
        {
            _phase = Http1Phase.PassThrough;
            return true;
        }

        input = input.Slice(line.End);
        return true;
    }

    private bool TryTakeLine(ReadOnlySequence<byte> line, IBufferWriter<byte> output)
    {
        if (line.IsSingleSegment) return TryTakeLine(line.FirstSpan, output);

        var copy = ArrayPool<byte>.Shared.Rent((int)line.Length);
        try
        {
            line.CopyTo(copy);
            return TryTakeLine(copy.AsSpan(0, (int)line.Length), output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Handles one whole line, LF included; false, with nothing written, for a line it does not understand.</summary>
    private bool TryTakeLine(ReadOnlySpan<byte> line, IBufferWriter<byte> output)
    {
        var content = line[..^1];
        var endsWithCrLf = content is [.., CR];
        if (endsWithCrLf) content = content[..^1];

        // A CR that does not end the line is refused by Kestrel, or (in a chunk extension) skipped by older Kestrels:
        // either way this cannot be sure where Kestrel ends the line.
        if (content.Contains(CR)) return false;

        switch (_phase)
        {
            case Http1Phase.RequestLine:
                if (!RequestLine.TryParse(content, out var request) || request.HandsOverConnection) return false;
                if (PercentEncoding.NeedsEncoding(line.Slice(request.TargetStart, request.TargetLength)))
                {
                    output.Write(line[..request.TargetStart]);
                    PercentEncoding.WriteEncoded(line.Slice(request.TargetStart, request.TargetLength), output);
                    output.Write(line[request.TargetEnd..]);
                }
                else
                {
                    output.Write(line);
                }

                _framing = default;
                _phase = Http1Phase.Headers;
                return true;

            case Http1Phase.Headers when content.IsEmpty:
                output.Write(line);
                _phase = _framing.BodyPhase(out _remaining);
                return true;

            case Http1Phase.Headers:
                if (!_framing.TryAdd(content)) return false;
                output.Write(line);
                return true;

            case Http1Phase.ChunkSize:
                // Kestrel ends a chunk-size line at CRLF only.
                if (!endsWithCrLf || !ChunkSizeLine.TryParse(content, out _remaining)) return false;
                output.Write(line);
                _phase = _remaining > 0 ? Http1Phase.ChunkData : Http1Phase.Trailers;
                return true;

            case Http1Phase.Trailers when content.IsEmpty:
                output.Write(line);
                _phase = Http1Phase.RequestLine;
                return true;

            case Http1Phase.Trailers:
                if (!HeaderLine.TrySplit(content, out _, out _)) return false;
                output.Write(line);
                return true;

            default:
                throw new InvalidOperationException($"No line is read in phase {_phase}.");
        }
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
