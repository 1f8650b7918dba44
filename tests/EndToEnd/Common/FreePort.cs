using System.Net;
using System.Net.Sockets;

namespace Mesh.EndToEnd.Tests.Common;

internal static class FreePort
{
    /// <summary>A loopback TCP port nothing listens on right now (the OS picks it; it is released at once).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
