namespace Mesh.Registry.Events;

/// <summary>
/// What is known about how a fact reached the log. <see cref="SourceFactId"/> is the source's own id for the
/// fact (Docker <c>timeNano</c>+action, Marathon task id+status+timestamp, an API request id).
/// </summary>
public sealed record EventMetadata(
    DateTimeOffset? SourceTime = null,
    string? CorrelationId = null,
    string? SourceFactId = null,
    string? RawPayload = null)
{
    public static readonly EventMetadata Empty = new();
}
