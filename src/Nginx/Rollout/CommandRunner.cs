using System.Diagnostics;

namespace Mesh.Nginx.Rollout;

/// <summary>
/// Runs a configured command: the program and its arguments split on whitespace, without a shell and without
/// quoting (paths with spaces need a wrapper script). stderr and stdout are captured (nginx writes to stderr).
/// </summary>
internal static class CommandRunner
{
    public static async Task<CommandResult> RunAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var parts = command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return new CommandResult(-1, "empty command", false, Started: false);
        var info = new ProcessStartInfo(parts[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in parts.Skip(1)) info.ArgumentList.Add(arg);

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new CommandResult(-1, $"cannot start '{parts[0]}': {ex.Message}", false, Started: false);
        }
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            ct.ThrowIfCancellationRequested();
            return new CommandResult(-1, $"'{command}' did not finish within {timeout.TotalMilliseconds:0} ms", true);
        }
        var text = ((await stderr.ConfigureAwait(false)) + (await stdout.ConfigureAwait(false))).Trim();
        return new CommandResult(process.ExitCode, text, false);
    }
}
