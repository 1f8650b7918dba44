using Mesh.Nginx.Configuration;

namespace Mesh.Nginx.Rollout;

/// <summary>
/// Puts one rendered file live safely. nginx can only check a whole configuration, so the new file has to be where
/// nginx includes it when <c>nginx -t</c> runs: it is written to a temporary file in the same directory, the live
/// file is copied aside, the new one is renamed over it (atomic), and nginx validates. If nginx refuses it, the
/// copy is renamed back; nginx was never reloaded, so the old configuration kept serving throughout.
/// </summary>
internal sealed class ConfigRollout(NginxTargetOptions options)
{
    private string OutputPath => Path.GetFullPath(options.OutputPath);

    private TimeSpan Timeout => TimeSpan.FromMilliseconds(options.CommandTimeoutMs);

    public async Task<(RolloutOutcome Outcome, string Message)> ApplyAsync(byte[] content, CancellationToken ct)
    {
        var output = OutputPath;
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = output + ".mesh-new";
        var backup = output + ".mesh-previous";
        await File.WriteAllBytesAsync(temp, content, ct).ConfigureAwait(false);
        var hadPrevious = File.Exists(output);
        if (hadPrevious) File.Copy(output, backup, overwrite: true);
        File.Move(temp, output, overwrite: true);

        var validation = await CommandRunner.RunAsync(options.ValidateCommand, Timeout, ct).ConfigureAwait(false);
        if (!validation.Succeeded)
        {
            if (hadPrevious) File.Move(backup, output, overwrite: true);
            else File.Delete(output);
            // Only nginx's own verdict is a rejection; a validator that could not run says nothing about the file.
            return validation.Started && !validation.TimedOut
                ? (RolloutOutcome.Rejected, validation.Output)
                : (RolloutOutcome.Failed, validation.Output);
        }
        if (hadPrevious) File.Delete(backup);

        var reload = await CommandRunner.RunAsync(options.ReloadCommand, Timeout, ct).ConfigureAwait(false);
        return reload.Succeeded
            ? (RolloutOutcome.Applied, reload.Output)
            : (RolloutOutcome.Failed, $"reload exited {reload.ExitCode}: {reload.Output}");
    }
}
