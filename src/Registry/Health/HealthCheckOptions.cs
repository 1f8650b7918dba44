using Mesh.Registry.Configuration;
namespace Mesh.Registry.Health;

/// <summary>The health checker's settings (<c>Mesh:HealthChecks</c>). Durations use TimeSpan syntax, e.g. <c>00:00:30</c>.</summary>
public sealed class HealthCheckOptions : IValidatableOptions
{
    public const string Section = "Mesh:HealthChecks";

    /// <summary>
    /// How often the reaper looks for checks critical for longer than their <c>DeregisterCriticalServiceAfter</c>.
    /// Consul's reaper runs about every 30 s, so removal can come that much late.
    /// </summary>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP and TCP checks run at most this often, whatever interval a registration asks for (Consul: 1 s).</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Probes in flight at once; the others wait for a slot, so a burst of checks cannot exhaust sockets.</summary>
    public int MaxConcurrentProbes { get; set; } = 64;

    /// <summary>The check timeout when a registration gives none (Consul: 10 s).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem with these settings, each naming its key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ReaperInterval <= TimeSpan.Zero) errors.Add($"{Section}:ReaperInterval must be positive (was {ReaperInterval})");
        if (MinInterval < TimeSpan.Zero) errors.Add($"{Section}:MinInterval must not be negative (was {MinInterval})");
        if (MaxConcurrentProbes <= 0) errors.Add($"{Section}:MaxConcurrentProbes must be positive (was {MaxConcurrentProbes})");
        if (DefaultTimeout <= TimeSpan.Zero) errors.Add($"{Section}:DefaultTimeout must be positive (was {DefaultTimeout})");
        return errors;
    }
}
