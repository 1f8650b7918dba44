using System.Net.Sockets;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// A unix socket that forwards every connection to another one (the engine's), and can be cut: the listener goes
/// away and open connections are closed, as when a network path to a remote engine breaks while the engine itself
/// (and its event buffer) carries on.
/// </summary>
internal sealed class UnixSocketProxy(string path, string target) : IAsyncDisposable
{
    private readonly List<Socket> _open = [];
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    public string Endpoint => "unix://" + path;

    public void Start()
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    /// <summary>Stops accepting and closes every forwarded connection.</summary>
    public async Task CutAsync()
    {
        _listener?.Dispose();
        _listener = null;
        File.Delete(path);
        lock (_open)
        {
            foreach (var socket in _open) socket.Dispose();
            _open.Clear();
        }
        await _accepting;
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(target));
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            lock (_open) _open.AddRange([client, upstream]);
            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer);
                if (read == 0) break;
                await to.SendAsync(buffer.AsMemory(0, read));
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await CutAsync();
}
