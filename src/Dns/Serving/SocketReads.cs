using System.Net.Sockets;

namespace Mesh.Dns.Serving;

internal static class SocketReads
{
    /// <summary>Fills <paramref name="buffer"/> from a stream socket; false when the peer closed first.</summary>
    public static async Task<bool> FillAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
