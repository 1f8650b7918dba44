using static Mesh.Gateway.Listening.HttpSyntax;

namespace Mesh.Gateway.Listening;

/// <summary>
/// A chunk-size line of a chunked body: <c>chunk-size [ BWS ";" chunk-ext ] CRLF</c> (RFC 9112 §7.1), the size in hex.
/// </summary>
internal static class ChunkSizeLine
{
    private const int MaxDigits = 16;

    /// <summary>
    /// Reads the size from <paramref name="content"/> (the line without its CRLF). Extensions are passed over, not
    /// checked: the line has no CR or LF before its end, so Kestrel ends it where this does, and Kestrel judges
    /// their syntax. Sizes above <see cref="int.MaxValue"/>, which Kestrel refuses, are refused here too.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> content, out long size)
    {
        size = 0;
        var digits = content.IndexOfAnyExcept(HexDigits);
        if (digits < 0) digits = content.Length;
        if (digits is 0 or > MaxDigits) return false;

        foreach (var digit in content[..digits])
        {
            size = (size * 16) + HexValue(digit);
            if (size > int.MaxValue) return false;
        }

        // Optional whitespace (BWS) may precede the ';' of the first extension.
        var extensions = content[digits..].IndexOfAnyExcept(SP, HTab);
        return content.Length == digits || (extensions >= 0 && content[digits + extensions] == (byte)';');
    }

    /// <summary>Whether the start of a line still waiting for its end can begin a chunk-size line.</summary>
    public static bool CouldStart(ReadOnlySpan<byte> prefix)
    {
        var digits = prefix.IndexOfAnyExcept(HexDigits);
        if (digits < 0) return prefix.Length <= MaxDigits;
        return digits is > 0 and <= MaxDigits
            && (prefix[digits] is SP or HTab or (byte)';' || (prefix[digits] == CR && digits == prefix.Length - 1));
    }

    private static int HexValue(byte digit) => digit switch
    {
        <= (byte)'9' => digit - '0',
        <= (byte)'F' => digit - 'A' + 10,
        _ => digit - 'a' + 10,
    };
}
