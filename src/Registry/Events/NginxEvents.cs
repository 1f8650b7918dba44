namespace Mesh.Registry.Events;

// What went live on nginx hosts. Stream nginx-{Target}. Fields are only ever added (with defaults).

/// <summary>
/// A configuration was validated, written and reloaded (the reload command exited 0): <see cref="Hash"/> is the
/// SHA-256 of the file's bytes (lower-case hex), <see cref="Position"/> the registry position it was rendered at.
/// </summary>
public sealed record NginxConfigApplied(string Target, string Hash, long Position, string OutputPath) : IEvent;

/// <summary>nginx refused a rendered configuration; the previous one still serves. <see cref="Error"/> is nginx's own text.</summary>
public sealed record NginxConfigRejected(string Target, string Hash, long Position, string Error) : IEvent;
