using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>
/// One TCP connection that sends exactly the bytes a test gives it and reads HTTP/1.1 responses framed by
/// Content-Length (as <see cref="EchoServer"/> and Kestrel's own error responses are). Reads give up after a few
/// seconds, so a request the server never answers fails the test instead of hanging it.
/// </summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly CancellationToken _ct;
    private readonly List<byte> _received = [];

    private RawHttpConnection(TcpClient client, CancellationToken ct)
    {
        _client = client;
        _stream = client.GetStream();
        _ct = ct;
    }

    public static async Task<RawHttpConnection> OpenAsync(int port, CancellationToken ct)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, ct);
        return new RawHttpConnection(client, ct);
    }

    /// <summary>Sends <paramref name="bytes"/> on a new connection and returns all the server sends until it closes it.</summary>
    public static async Task<byte[]> ExchangeAsync(int port, byte[] bytes, CancellationToken ct)
    {
        await using var connection = await OpenAsync(port, ct);
        await connection.SendAsync(bytes);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(ReadLimit);
        using var received = new MemoryStream();
        await connection._stream.CopyToAsync(received, limit.Token);
        return received.ToArray();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes, _ct);

    /// <summary>Sends every byte in a write of its own.</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            await _stream.WriteAsync(bytes.AsMemory(i, 1), _ct);
            await _stream.FlushAsync(_ct);
        }
    }

    public async Task<RawResponse> ReadResponseAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        limit.CancelAfter(ReadLimit);

        var headEnd = await ReadUntilAsync(() => IndexOf("\r\n\r\n"u8), limit.Token);
        var head = Encoding.ASCII.GetString(_received.GetRange(0, headEnd).ToArray());
        _received.RemoveRange(0, headEnd + 4);

        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var length = lines.Skip(1).Select(l => l.Split(':', 2))
            .Where(p => p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

        await ReadUntilAsync(() => _received.Count >= length ? length : -1, limit.Token);
        var body = _received.GetRange(0, length).ToArray();
        _received.RemoveRange(0, length);
        return new RawResponse(status, body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    private async Task<int> ReadUntilAsync(Func<int> found, CancellationToken ct)
    {
        var buffer = new byte[4096];
        int at;
        while ((at = found()) < 0)
        {
            var read = await _stream.ReadAsync(buffer, ct);
            if (read == 0) throw new EndOfStreamException("The server closed the connection before a whole response.");
            _received.AddRange(buffer.AsSpan(0, read));
        }

        return at;
    }

    private int IndexOf(ReadOnlySpan<byte> value) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_received).IndexOf(value);
}

internal sealed record RawResponse(int Status, byte[] Body)
{
    public Echo Echo => Echo.Parse(Body);
}
