using System.Globalization;
using System.Net.Sockets;

namespace Mesh.Registry.Health;

/// <summary>Deterministic words for probe outcomes: the same outcome always reads the same.</summary>
internal static class ProbeText
{
    /// <summary><c>10s</c>, <c>1.5s</c>, <c>250ms</c>: the configured timeout, never a measured time.</summary>
    public static string Duration(TimeSpan d) =>
        d.TotalSeconds >= 1
            ? d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s"
            : d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";

    public static string TimedOut(TimeSpan timeout) => $"timed out after {Duration(timeout)}";

    /// <summary>
    /// Why a connection or request failed, without the parts that vary between attempts. The socket error is the
    /// useful part ("Connection refused"); wrappers around it only add noise.
    /// </summary>
    public static string Failure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException se) return se.Message;
        }
        var innermost = ex;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        return innermost == ex || string.IsNullOrWhiteSpace(innermost.Message) ? ex.Message : $"{ex.Message} {innermost.Message}";
    }
}
