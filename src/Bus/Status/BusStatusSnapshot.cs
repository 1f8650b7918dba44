namespace Mesh.Bus.Status;

/// <summary>
/// One reading of <see cref="BusStatus"/>. <see cref="Connected"/>: MassTransit reports the bus healthy
/// (<see cref="Health"/> is <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, <see cref="Description"/> says why).
/// <see cref="LastError"/>: the last failure to reach the broker or a registry, and when (null when none yet).
/// </summary>
public sealed record BusStatusSnapshot(
    BusRole Role,
    string Transport,
    string Address,
    bool Connected,
    string Health,
    string Description,
    string? LastError,
    DateTimeOffset? LastErrorAt);
