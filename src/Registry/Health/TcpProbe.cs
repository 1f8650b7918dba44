using System.Globalization;
using System.Net.Sockets;
using Mesh.Registry.Events;

namespace Mesh.Registry.Health;

/// <summary>TCP checks: a connection to <c>host:port</c> within the timeout is passing; anything else is critical.</summary>
internal static class TcpProbe
{
    public static async Task<ProbeResult> RunAsync(CheckSpec spec, TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        if (!TryParseTarget(spec.Target, out var host, out var port))
            return Result(spec.Target, false, "invalid address, expected host:port");

        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        // A dual-mode socket reaches IPv4 and IPv6 addresses, and tries each address a host name resolves to.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            return Result(spec.Target, true, "Success");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Result(spec.Target, false, ProbeText.TimedOut(timeout));
        }
        catch (SocketException ex)
        {
            return Result(spec.Target, false, ProbeText.Failure(ex));
        }
    }

    /// <summary>Consul's form: <c>TCP connect 10.0.0.5:6379: Success</c>.</summary>
    public static ProbeResult Result(string target, bool connected, string reason) =>
        new(connected ? HealthStatus.Passing : HealthStatus.Critical, $"TCP connect {target}: {reason}");

    /// <summary><c>host:port</c>, <c>1.2.3.4:port</c> or <c>[::1]:port</c>, with a port from 1 to 65535.</summary>
    public static bool TryParseTarget(string? target, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(target)) return false;
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || colon == target.Length - 1) return false;
        var hostPart = target[..colon];
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']')) hostPart = hostPart[1..^1];
        else if (hostPart.Contains(':')) return false; // a bare IPv6 address needs brackets to tell it from its port
        if (hostPart.Length == 0 || hostPart.Any(char.IsWhiteSpace)) return false;
        if (!int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }
        host = hostPart;
        return true;
    }
}
