namespace Mesh.Gateway.Listening;

/// <summary>Where <see cref="RequestTargetRewriter"/> stands in a connection's HTTP/1.1 request bytes.</summary>
internal enum Http1Phase
{
    /// <summary>Before a request line; empty lines before it are skipped, as Kestrel skips them.</summary>
    RequestLine,

    /// <summary>Header lines until the empty line.</summary>
    Headers,

    /// <summary>A <c>Content-Length</c> body.</summary>
    Body,

    /// <summary>A chunk-size line, with optional chunk extensions.</summary>
    ChunkSize,

    /// <summary>The data of a chunk.</summary>
    ChunkData,

    /// <summary>The CRLF after a chunk's data.</summary>
    ChunkDataEnd,

    /// <summary>Trailer lines after the last chunk, until the empty line.</summary>
    Trailers,

    /// <summary>Every further byte of the connection untouched: another protocol, or bytes Kestrel must judge.</summary>
    PassThrough,
}
