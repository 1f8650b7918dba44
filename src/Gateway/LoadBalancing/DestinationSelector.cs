namespace Mesh.Gateway.LoadBalancing;

/// <summary>
/// Power of two choices: two random candidates, the one with fewer requests in flight wins. Candidates are the
/// targets not yet tried by this request, not taken out by passive health, and (when the client is pinned to a
/// deploy version that still has a candidate) of that version. When passive health has taken every target out,
/// they are all candidates again: a guess beats a certain 503. No allocation, no lock.
/// </summary>
internal static class DestinationSelector
{
    /// <param name="tried">Bit i set: targets[i] already failed this request (only the first 64 targets are tracked).</param>
    /// <returns>The index of the chosen target, or -1 when every target was tried.</returns>
    public static int Pick(Target[] targets, string? version, ulong tried, long now)
    {
        var filter = Filter.Healthy | (version is null ? Filter.None : Filter.Version);
        var count = Count(targets, version, tried, now, filter);
        if (count == 0 && version is not null)
        {
            filter = Filter.Healthy;
            count = Count(targets, version, tried, now, filter);
        }
        if (count == 0)
        {
            filter = Filter.None;
            count = Count(targets, version, tried, now, filter);
        }
        if (count == 0) return -1;
        if (count == 1) return Nth(targets, version, tried, now, filter, 0);

        var a = Random.Shared.Next(count);
        var b = Random.Shared.Next(count - 1);
        if (b >= a) b++;
        var first = Nth(targets, version, tried, now, filter, a);
        var second = Nth(targets, version, tried, now, filter, b);
        return targets[second].Health.InFlight < targets[first].Health.InFlight ? second : first;
    }

    /// <summary>Whether a target is left that <paramref name="tried"/> does not mark.</summary>
    public static bool AnyUntried(Target[] targets, ulong tried) => Count(targets, null, tried, 0, Filter.None) > 0;

    [Flags]
    private enum Filter
    {
        None = 0,
        Healthy = 1,
        Version = 2,
    }

    private static bool IsCandidate(Target target, int index, string? version, ulong tried, long now, Filter filter) =>
        (index >= 64 || (tried & (1UL << index)) == 0)
        && ((filter & Filter.Healthy) == 0 || !target.Health.IsOut(now))
        && ((filter & Filter.Version) == 0 || string.Equals(target.Destination.Version, version, StringComparison.Ordinal));

    private static int Count(Target[] targets, string? version, ulong tried, long now, Filter filter)
    {
        var count = 0;
        for (var i = 0; i < targets.Length; i++)
            if (IsCandidate(targets[i], i, version, tried, now, filter)) count++;
        return count;
    }

    private static int Nth(Target[] targets, string? version, ulong tried, long now, Filter filter, int n)
    {
        for (var i = 0; i < targets.Length; i++)
        {
            if (!IsCandidate(targets[i], i, version, tried, now, filter)) continue;
            if (n-- == 0) return i;
        }
        return -1;
    }
}
