namespace Mesh.Registry.Events;

/// <summary>
/// A source compared what it runs with what the registry held for it (on every (re)connect and periodically) and
/// fixed the difference. <see cref="Registered"/> + <see cref="Deregistered"/> is what it had to fix: after a
/// connect that is catching up; on a periodic pass, a non-zero count means events were missed. Lives in the stream
/// <c>source-{Source}-{Node}</c>.
/// </summary>
public sealed record SourceReconciled(
    string Source,
    string Node,
    string Trigger,
    int Running,
    int Registered,
    int Deregistered,
    int Rejected) : IEvent
{
    public int Fixed => Registered + Deregistered;
}
