namespace Mesh.Nginx.Rollout;

public enum RolloutOutcome
{
    /// <summary>Validated, in place, reloaded.</summary>
    Applied,

    /// <summary>nginx -t refused it; the previous file is back in place and nginx was not reloaded.</summary>
    Rejected,

    /// <summary>Validation could not run, or the reload failed (nginx down): try again later.</summary>
    Failed,
}
