namespace Mesh.Bus.Contracts;

/// <summary>A registry's answer to <see cref="DecideObservation"/> or <see cref="DefineEnvironment"/>: <c>ObservationResult</c> on the wire.</summary>
public sealed record ObservationDecided(long Position, int EventCount, string? Error);
