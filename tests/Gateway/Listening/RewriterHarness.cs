using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Mesh.Gateway.Listening;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>Feeds bytes to a <see cref="RequestTargetRewritingReader"/> in chunks of a chosen size and collects what it gives back.</summary>
internal static class RewriterHarness
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Writes <paramref name="input"/> in <paramref name="chunk"/>-byte pieces and, after each, takes everything the
    /// reader has (TryRead), as Kestrel would: deterministic, on one thread.
    /// </summary>
    public static (byte[] Output, Http1Phase Phase) Rewrite(byte[] input, int chunk)
    {
        var source = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
        var reader = new RequestTargetRewritingReader(source.Reader, pool: null);
        var output = new ArrayBufferWriter<byte>();
        for (var offset = 0; offset < input.Length; offset += chunk)
        {
            source.Writer.Write(input.AsSpan(offset, Math.Min(chunk, input.Length - offset)));
            source.Writer.FlushAsync().GetAwaiter().GetResult(); // no pause threshold: completes at once
            TakeAll(reader, output);
        }

        source.Writer.Complete();
        TakeAll(reader, output);
        var phase = reader.Phase;
        reader.Complete();
        return (output.WrittenSpan.ToArray(), phase);
    }

    private static void TakeAll(PipeReader reader, ArrayBufferWriter<byte> output)
    {
        while (reader.TryRead(out var result) && !result.Buffer.IsEmpty)
        {
            foreach (var segment in result.Buffer) output.Write(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
        }
    }
}
