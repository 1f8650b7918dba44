using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mesh.EndToEnd.Tests.Common;

internal static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the OS hands out for a port-0 bind or an outgoing connection
    // elsewhere in the test run can never be one of these, so a port checked free here stays free until mesh binds it.
    private const int Low = 20_000;
    private const int High = 32_000;

    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>A loopback port free on TCP and UDP right now, not handed out before in this run.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(Low, High);
            if (!HandedOut.TryAdd(port, true)) continue;
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException($"no free loopback port between {Low} and {High}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
