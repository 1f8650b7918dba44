namespace Mesh.Projections.Routes;

/// <summary>
/// Two clusters claimed the same host and path prefix: <see cref="KeptBy"/> (the earlier claim) keeps it,
/// <see cref="RefusedFor"/>'s claim (made by <see cref="RefusedInstance"/>) is not routed.
/// </summary>
public sealed record RouteConflict(string Host, string PathPrefix, string KeptBy, string? KeptInstance, string RefusedFor, string? RefusedInstance);
