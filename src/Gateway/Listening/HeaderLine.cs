using static Mesh.Gateway.Listening.HttpSyntax;

namespace Mesh.Gateway.Listening;

/// <summary>A field line of a header or trailer section: <c>field-name ":" OWS field-value OWS</c>.</summary>
internal static class HeaderLine
{
    /// <summary>
    /// Splits <paramref name="content"/> (the line without its line end) at its colon into a token name and the raw
    /// value (see <see cref="Trim"/>); false for a line Kestrel refuses: no colon, whitespace before the colon, or a
    /// folded continuation line (one starting with whitespace).
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> content, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rawValue)
    {
        var colon = content.IndexOf((byte)':');
        name = colon > 0 ? content[..colon] : default;
        rawValue = colon > 0 ? content[(colon + 1)..] : default;
        return IsToken(name);
    }

    /// <summary>The field value without the optional whitespace around it.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> rawValue)
    {
        var start = rawValue.IndexOfAnyExcept(SP, HTab);
        return start < 0 ? default : rawValue[start..(rawValue.LastIndexOfAnyExcept(SP, HTab) + 1)];
    }
}
