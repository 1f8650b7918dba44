using static Mesh.Gateway.Listening.HttpSyntax;

namespace Mesh.Gateway.Listening;

/// <summary>
/// An HTTP/1.x request line as Kestrel reads it: <c>method SP request-target SP HTTP-version</c>, split at the first
/// two spaces. Offsets are into the line's content (the line without its CRLF or LF).
/// </summary>
internal readonly ref struct RequestLine
{
    /// <summary>How much of an incomplete line <see cref="CouldStart"/> looks at.</summary>
    public const int PrefixLength = 64;

    private RequestLine(ReadOnlySpan<byte> method, int targetStart, int targetLength)
    {
        Method = method;
        TargetStart = targetStart;
        TargetLength = targetLength;
    }

    public ReadOnlySpan<byte> Method { get; }

    public int TargetStart { get; }

    public int TargetLength { get; }

    public int TargetEnd => TargetStart + TargetLength;

    /// <summary>
    /// <c>CONNECT</c> turns the connection into a tunnel, and <c>PRI</c> begins the HTTP/2 connection preface
    /// (<c>PRI * HTTP/2.0</c>): after either, the bytes are no longer HTTP/1.1 requests.
    /// </summary>
    public bool HandsOverConnection => IsHandOverMethod(Method);

    /// <summary>
    /// Reads <paramref name="content"/> as a request line with a token method, a non-empty target and exactly
    /// <c>HTTP/1.1</c> or <c>HTTP/1.0</c>; false for anything else (Kestrel refuses it, or it is not HTTP/1.x).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> content, out RequestLine line)
    {
        line = default;
        var methodEnd = content.IndexOf(SP);
        if (methodEnd <= 0 || !IsToken(content[..methodEnd])) return false;

        var targetStart = methodEnd + 1;
        var targetLength = content[targetStart..].IndexOf(SP);
        if (targetLength <= 0) return false;

        var version = content[(targetStart + targetLength + 1)..];
        if (!version.SequenceEqual("HTTP/1.1"u8) && !version.SequenceEqual("HTTP/1.0"u8)) return false;
        if (content.Contains(CR)) return false;

        line = new RequestLine(content[..methodEnd], targetStart, targetLength);
        return true;
    }

    /// <summary>
    /// Whether the start of a line still waiting for its end can begin a request line this rewriter handles. False at
    /// once for bytes that cannot (a TLS handshake sent to a plain-text port starts with 0x16) and for the HTTP/2
    /// preface, so Kestrel sees them without waiting for a line end that may never come.
    /// </summary>
    public static bool CouldStart(ReadOnlySpan<byte> prefix)
    {
        var methodEnd = prefix.IndexOf(SP);
        var method = methodEnd < 0 ? prefix : prefix[..methodEnd];
        if (method.ContainsAnyExcept(TokenChars)) return false;
        return methodEnd < 0 || (methodEnd > 0 && !IsHandOverMethod(method));
    }

    private static bool IsHandOverMethod(ReadOnlySpan<byte> method) => method.SequenceEqual("CONNECT"u8) || method.SequenceEqual("PRI"u8);
}
