using System.Collections.Concurrent;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;

namespace Mesh.Dns.Serving;

/// <summary>
/// One <see cref="ZoneView"/> and the encoded responses it has given, by (view, type, EDNS, size limit, name). The
/// cache lives and dies with its view: a registry change swaps in a new snapshot with an empty cache, so a cached
/// response is never stale. An event that changes nothing the zones answer from (an nginx audit record, a source
/// fact) only moves <see cref="Position"/> on (<see cref="At"/>): same view, same cache. The cache is bounded, so a
/// flood of random names cannot grow it without limit; negative answers get a smaller share, for the same reason.
/// </summary>
internal sealed class ZoneSnapshot
{
    private readonly ResponseCache _responses;

    public ZoneSnapshot(ZoneView zone) : this(zone, zone.Position, new ResponseCache())
    {
    }

    private ZoneSnapshot(ZoneView zone, long position, ResponseCache responses)
    {
        Zone = zone;
        Position = position;
        _responses = responses;
    }

    public ZoneView Zone { get; }

    /// <summary>The registry position these answers hold for; the view's own state may be older, and equal to it.</summary>
    public long Position { get; }

    /// <summary>This snapshot at a later <paramref name="position"/> whose state answers the same.</summary>
    public ZoneSnapshot At(long position) => new(Zone, position, _responses);

    public bool TryGet(ReadOnlySpan<char> key, out WireResponse response) => _responses.TryGet(key, out response);

    public void Add(ReadOnlySpan<char> key, WireResponse response) => _responses.Add(key, response);

    /// <summary>How many encoded responses are cached.</summary>
    public int CachedResponses => _responses.Count;

    private sealed class ResponseCache
    {
        private const int MaxEntries = 100_000;
        private const int MaxNegativeEntries = 10_000;

        private readonly ConcurrentDictionary<string, WireResponse> _responses = new(StringComparer.Ordinal);
        private int _negatives;

        public int Count => _responses.Count;

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
}
