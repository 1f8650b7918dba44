using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>A check's current status and output, and when the status last changed (the recorded time of that transition).</summary>
public sealed record CheckState(CheckSpec Spec, HealthStatus Status, string Output, DateTimeOffset Since);
