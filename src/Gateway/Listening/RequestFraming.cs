using System.Buffers.Text;
using System.Text;

namespace Mesh.Gateway.Listening;

/// <summary>
/// What a request's header lines say about the bytes after them, read the way Kestrel reads them
/// (<c>Http1MessageBody.For</c>): an upgrade request hands the connection over, a <c>Transfer-Encoding</c> means a
/// chunked body (Kestrel refuses any other final coding), else <c>Content-Length</c> bytes, else no body.
/// </summary>
internal struct RequestFraming
{
    private long? _contentLength;
    private bool _hasTransferEncoding;
    private bool _upgrade;

    /// <summary>
    /// Takes one header line's content into account; false for a line Kestrel refuses (malformed, a second or
    /// non-numeric <c>Content-Length</c>), which ends rewriting.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> content)
    {
        if (!HeaderLine.TrySplit(content, out var name, out var value)) return false;

        // Lengths first: most header lines are none of these three and cost one comparison.
        switch (name.Length)
        {
            case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                if (_contentLength.HasValue || !TryParseLength(HeaderLine.Trim(value), out var length)) return false;
                _contentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                _hasTransferEncoding = true;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                // A superset of Kestrel's token match: wrongly counting a request as an upgrade only stops rewriting.
                _upgrade |= ContainsIgnoreCase(value, "upgrade"u8);
                break;
        }

        return true;
    }

    /// <summary>The phase after the empty line that ends the headers, and the body length for <see cref="Http1Phase.Body"/>.</summary>
    public readonly Http1Phase BodyPhase(out long length)
    {
        length = _contentLength ?? 0;
        return (_upgrade, _hasTransferEncoding, _contentLength) switch
        {
            // After a 101 the bytes are another protocol. Whether one is sent is not visible here, so rewriting stops either way.
            (true, _, _) => Http1Phase.PassThrough,
            // Both: Kestrel's handling differs by version (reject, or chunked and close); either way leave it to Kestrel.
            (_, true, not null) => Http1Phase.PassThrough,
            (_, true, null) => Http1Phase.ChunkSize,
            (_, _, > 0) => Http1Phase.Body,
            _ => Http1Phase.RequestLine,
        };
    }

    private static bool TryParseLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        return !value.IsEmpty && !value.ContainsAnyExceptInRange((byte)'0', (byte)'9')
            && Utf8Parser.TryParse(value, out length, out var consumed) && consumed == value.Length;
    }

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> word)
    {
        for (var i = 0; i + word.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, word.Length), word)) return true;
        }

        return false;
    }
}
