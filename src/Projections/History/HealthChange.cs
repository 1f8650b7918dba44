namespace Mesh.Projections.History;

/// <summary>An instance registered in both states whose overall status moved <see cref="From"/> → <see cref="To"/>; <see cref="Service"/> is the later one.</summary>
public sealed record HealthChange(string InstanceId, string Service, string From, string To);
