namespace Mesh.Gateway.Listening;

/// <summary>What <see cref="RequestTargetRewriter"/> does with a whole line.</summary>
internal enum LineOutcome
{
    /// <summary>Copied as it is.</summary>
    Unchanged,

    /// <summary>A request line whose target holds bytes &gt;= 0x80: copied with them percent-encoded.</summary>
    EncodeTarget,

    /// <summary>Not understood, or the connection is handed over: this line and every byte after it pass untouched.</summary>
    PassThrough,
}
