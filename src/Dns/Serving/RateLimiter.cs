using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Mesh.Dns.Configuration;

namespace Mesh.Dns.Serving;

/// <summary>What to do with a response for a client, given its rate.</summary>
internal enum RateDecision
{
    Send,

    /// <summary>Over the limit: send an empty truncated response instead, so a real client retries over TCP.</summary>
    Slip,

    /// <summary>Over the limit: send nothing.</summary>
    Drop,
}

/// <summary>
/// Response rate limiting per client address (IPv4, or the IPv6 /64), for abuse safety: a token bucket of
/// <c>ResponsesPerSecond</c> with a one-second burst. UDP only — a TCP client cannot spoof its address. The table is
/// bounded: past <see cref="MaxClients"/> addresses it starts over (a spoofed-source flood cannot grow it).
/// </summary>
internal sealed class RateLimiter
{
    private const int MaxClients = 100_000;

    private readonly double _perSecond;
    private readonly int _slip;
    private readonly IPNetwork[] _exempt;
    private readonly ConcurrentDictionary<UInt128, Bucket> _buckets = new();

    public RateLimiter(DnsRateLimitOptions options)
    {
        _perSecond = options.ResponsesPerSecond;
        _slip = options.Slip;
        _exempt = [.. options.Exempt.Select(IPNetwork.Parse)];
    }

    public bool Enabled => _perSecond > 0;

    /// <param name="key">The client's address as a number (IPv4, or the IPv6 /64).</param>
    /// <param name="address">Builds the client's address from <paramref name="client"/>, only for a new client when there are exempt subnets to check.</param>
    public RateDecision Check<TClient>(UInt128 key, TClient client, Func<TClient, IPAddress> address)
    {
        if (!Enabled) return RateDecision.Send;
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= MaxClients) _buckets.Clear();
            var exempt = _exempt.Length > 0 && IsExempt(address(client));
            bucket = _buckets.GetOrAdd(key, _ => new Bucket(_perSecond, exempt));
        }
        return bucket.Take(_perSecond, _slip);
    }

    private bool IsExempt(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _exempt.Any(subnet => subnet.Contains(address));
    }

    private sealed class Bucket(double tokens, bool exempt)
    {
        private double _tokens = tokens;
        private long _at = Stopwatch.GetTimestamp();
        private long _limited;

        public RateDecision Take(double perSecond, int slip)
        {
            if (exempt) return RateDecision.Send;
            lock (this)
            {
                var now = Stopwatch.GetTimestamp();
                _tokens = Math.Min(perSecond, _tokens + (now - _at) * perSecond / Stopwatch.Frequency);
                _at = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return RateDecision.Send;
                }
                _limited++;
                return slip > 0 && _limited % slip == 0 ? RateDecision.Slip : RateDecision.Drop;
            }
        }
    }
}
