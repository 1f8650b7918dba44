namespace Mesh.Nginx.Rollout;

/// <summary>How a command ended. <see cref="ExitCode"/> is -1 when it could not start or was killed on timeout.</summary>
public sealed record CommandResult(int ExitCode, string Output, bool TimedOut, bool Started = true)
{
    public bool Succeeded => Started && !TimedOut && ExitCode == 0;
}
