using Mesh.Projections.Routes;

namespace Mesh.Gateway.LoadBalancing;

/// <summary>
/// What the gateway has seen of one instance endpoint: requests in flight (for the least-loaded choice) and
/// passive health (consecutive failures; taken out until a moment). Mutable, shared by every route that reaches
/// the endpoint, updated with interlocked operations only.
/// </summary>
internal sealed class DestinationHealth(string key)
{
    private int _inFlight;
    private int _failures;
    private long _outUntil;

    /// <summary><c>instance@http://address:port</c>: one per instance and endpoint, shared by every route reaching it.</summary>
    public string Key { get; } = key;

    public static string KeyOf(RouteDestination destination) => $"{destination.InstanceId}@{destination.BaseUrl}";

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Failures in a row since the last success (or since passive health last took it out).</summary>
    public int Failures => Volatile.Read(ref _failures);

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Out (taken out by passive health) at <paramref name="now"/> (milliseconds, <see cref="Environment.TickCount64"/>).</summary>
    public bool IsOut(long now) => Volatile.Read(ref _outUntil) > now;

    /// <summary>A failed request; true when this failure took the destination out.</summary>
    public bool Failed(int threshold, TimeSpan reactivation, long now)
    {
        if (Interlocked.Increment(ref _failures) < threshold) return false;
        Interlocked.Exchange(ref _failures, 0);
        var wasIn = !IsOut(now);
        Volatile.Write(ref _outUntil, now + (long)reactivation.TotalMilliseconds);
        return wasIn;
    }

    /// <summary>A successful request; true when it brought an out destination back early (it was tried as a last resort).</summary>
    public bool Succeeded(long now)
    {
        if (Volatile.Read(ref _failures) != 0) Interlocked.Exchange(ref _failures, 0);
        if (Volatile.Read(ref _outUntil) == 0) return false;
        var wasOut = IsOut(now);
        Volatile.Write(ref _outUntil, 0);
        return wasOut;
    }
}
