using System.Collections.Concurrent;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;

namespace Mesh.Dns.Serving;

/// <summary>
/// One <see cref="ZoneView"/> and the encoded responses it has given, by (view, type, EDNS, size limit, name). The
/// cache lives and dies with its view: a registry change swaps in a new snapshot with an empty cache, so a cached
/// response is never stale. It is bounded, so a flood of random names cannot grow it without limit; negative answers
/// get a smaller share, for the same reason.
/// </summary>
internal sealed class ZoneSnapshot(ZoneView zone)
{
    private const int MaxEntries = 100_000;
    private const int MaxNegativeEntries = 10_000;

    private readonly ConcurrentDictionary<string, WireResponse> _responses = new(StringComparer.Ordinal);
    private int _negatives;

    public ZoneView Zone { get; } = zone;

    public long Position => Zone.Position;

    public bool TryGet(ReadOnlySpan<char> key, out WireResponse response) =>
        _responses.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out response!);

    public void Add(ReadOnlySpan<char> key, WireResponse response)
    {
        if (_responses.Count >= MaxEntries) return;
        var negative = response.AnswerCount == 0;
        if (negative && Volatile.Read(ref _negatives) >= MaxNegativeEntries) return;
        if (_responses.TryAdd(key.ToString(), response) && negative) Interlocked.Increment(ref _negatives);
    }
}
