using System.Collections.Immutable;
using System.Net;

namespace Mesh.Dns;

/// <summary>Where the DNS server listens, once it does (a configured port 0 shows the real one).</summary>
public sealed class DnsEndpoints
{
    private ImmutableArray<DnsListenerView> _listeners = [];

    /// <summary>Every listener (UDP and TCP on each): the main one first, then one per view with a port of its own.</summary>
    public ImmutableArray<DnsListenerView> Listeners => _listeners;

    /// <summary>The main listener (<c>Mesh:Dns:Address</c>, <c>Mesh:Dns:Port</c>), null until it listens.</summary>
    public IPEndPoint? Main => _listeners.IsEmpty ? null : _listeners[0].EndPoint;

    internal void Set(ImmutableArray<DnsListenerView> listeners) => ImmutableInterlocked.InterlockedExchange(ref _listeners, listeners);
}

/// <summary>One listener: its address and port, and its environment (null: chosen per client, default integration).</summary>
public sealed record DnsListenerView(IPEndPoint EndPoint, string? View)
{
    public override string ToString() => EndPoint.ToString();
}
