using System.Diagnostics;
using System.Globalization;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>Real <c>dig</c> (bind9-dnsutils) against a DNS server on 127.0.0.1.</summary>
internal static class Dig
{
    /// <summary>Runs <c>dig @127.0.0.1 -p port ...</c> and returns its output lines (trimmed, non-empty); throws when dig fails.</summary>
    public static async Task<string[]> RunAsync(int port, string[] arguments, CancellationToken ct, Action<string>? log = null)
    {
        var info = new ProcessStartInfo("dig", ["@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+time=5", "+tries=1", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var dig = Process.Start(info) ?? throw new InvalidOperationException("dig did not start (is bind9-dnsutils installed?)");
        var stdout = await dig.StandardOutput.ReadToEndAsync(ct);
        var stderr = await dig.StandardError.ReadToEndAsync(ct);
        await dig.WaitForExitAsync(ct);
        log?.Invoke($"dig -p {port} {string.Join(' ', arguments)}:\n{stdout}{stderr}");
        if (dig.ExitCode != 0) throw new InvalidOperationException($"dig exited {dig.ExitCode}: {stderr}{stdout}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
