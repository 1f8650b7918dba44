namespace Mesh.Nginx;

/// <summary>What one target serves: the position and hash of the configuration live on nginx, and the last problem.</summary>
public sealed record NginxTargetStatus(long Position, string? Hash, DateTimeOffset? AppliedAt, string? LastError, int Reloads);
