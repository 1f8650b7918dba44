using static Mesh.Gateway.Listening.HttpSyntax;

namespace Mesh.Gateway.Listening;

/// <summary>A field line of a header or trailer section: <c>field-name ":" OWS field-value OWS</c>.</summary>
internal static class HeaderLine
{
    /// <summary>
    /// Splits <paramref name="content"/> (the line without its line end) into a token name and a value trimmed of
    /// whitespace; false for a line Kestrel refuses: no colon, whitespace before the colon, or a folded
    /// continuation line (one starting with whitespace).
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> content, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = content.IndexOf((byte)':');
        name = colon > 0 ? content[..colon] : default;
        value = colon > 0 ? content[(colon + 1)..].Trim(Whitespace) : default;
        return IsToken(name);
    }
}
