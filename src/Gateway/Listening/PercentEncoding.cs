using System.Buffers;

namespace Mesh.Gateway.Listening;

/// <summary>
/// The IRI-to-URI step of RFC 3987 §3.1 on bytes: every byte &gt;= 0x80 of a UTF-8 request-target becomes <c>%XX</c>
/// (uppercase hex, as RFC 3986 §2.1 recommends); every other byte, <c>%</c> included, is kept, so what was already
/// percent-encoded (<c>%2F</c> too) keeps its meaning.
/// </summary>
internal static class PercentEncoding
{
    private const int MaxRunPerWrite = 1024;

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    public static bool NeedsEncoding(ReadOnlySpan<byte> target) => target.ContainsAnyInRange((byte)0x80, (byte)0xFF);

    public static void WriteEncoded(ReadOnlySpan<byte> target, IBufferWriter<byte> output)
    {
        while (!target.IsEmpty)
        {
            var ascii = target.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            if (ascii < 0)
            {
                output.Write(target);
                return;
            }

            output.Write(target[..ascii]);
            target = target[ascii..];

            var run = target.IndexOfAnyExceptInRange((byte)0x80, (byte)0xFF);
            run = Math.Min(run < 0 ? target.Length : run, MaxRunPerWrite);
            var encoded = output.GetSpan(run * 3);
            for (var i = 0; i < run; i++)
            {
                encoded[3 * i] = (byte)'%';
                encoded[(3 * i) + 1] = Hex[target[i] >> 4];
                encoded[(3 * i) + 2] = Hex[target[i] & 0xF];
            }

            output.Advance(run * 3);
            target = target[run..];
        }
    }
}
