using Mesh.Registry.Events;

namespace Mesh.Registry.Health;

/// <summary>
/// What one probe found. <see cref="Output"/> is a function of the outcome only (no durations, no timestamps), so
/// the same outcome reported again changes nothing in the log.
/// </summary>
internal sealed record ProbeResult(HealthStatus Status, string Output);
