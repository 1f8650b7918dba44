using System.Buffers;

namespace Mesh.Gateway.Listening;

/// <summary>The bytes of HTTP/1.1's grammar (RFC 9110, RFC 9112) that the request-target rewriter reads.</summary>
internal static class HttpSyntax
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTab = (byte)'\t';

    /// <summary>tchar: the characters of a token such as a method or a field name.</summary>
    public static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    public static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenChars);
}
