using Mesh.Registry.Formats;
namespace Mesh.Host.Api.Consul.Blocking;

/// <summary>
/// The blocking part of a read's query string: <c>?index=N&amp;wait=D</c> (or <c>?hash=H&amp;wait=D</c> on the
/// endpoints Consul blocks by content hash). Without an index (or with 0) and without a hash the read answers at once.
/// </summary>
internal sealed record BlockingQuery(long MinIndex, string? Hash, TimeSpan Wait)
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public bool Blocks => MinIndex > 0 || !string.IsNullOrEmpty(Hash);

    /// <summary>Null with a message when <c>index</c> or <c>wait</c> is not what Consul accepts.</summary>
    public static (BlockingQuery? Query, string? Error) Parse(IQueryCollection query)
    {
        long index = 0;
        var indexText = query["index"].LastOrDefault();
        if (!string.IsNullOrEmpty(indexText) && !(long.TryParse(indexText, out index) && index >= 0))
            return (null, $"Invalid index: '{indexText}' is not a non-negative integer");

        var wait = DefaultWait;
        var waitText = query["wait"].LastOrDefault();
        if (!string.IsNullOrEmpty(waitText))
        {
            if (!GoDuration.TryParse(waitText, out wait) || wait < TimeSpan.Zero)
                return (null, $"Invalid wait time: '{waitText}' is not a duration such as 30s or 5m");
            if (wait == TimeSpan.Zero) wait = DefaultWait;
        }
        if (wait > MaxWait) wait = MaxWait;
        return (new BlockingQuery(index, query["hash"].LastOrDefault(), wait), null);
    }

    /// <summary>
    /// The wait plus up to wait/16 of random jitter, as Consul adds so that many clients that started together do
    /// not all come back at once.
    /// </summary>
    public TimeSpan WaitWithJitter() => Wait + TimeSpan.FromTicks(Random.Shared.NextInt64(Wait.Ticks / 16 + 1));
}
