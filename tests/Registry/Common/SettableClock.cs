namespace Mesh.Registry.Tests.Common;

/// <summary>
/// A wall clock that moves only when the test moves it; timers and timestamps stay real (the base implementation),
/// so every wait still ends. Lets a test say "ten minutes later" without waiting ten minutes.
/// </summary>
internal sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public SettableClock() : this(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
