using System.Collections.Immutable;
using System.Net;
using Mesh.Dns.Configuration;
using Mesh.Projections.Environments;

namespace Mesh.Dns.Serving;

/// <summary>
/// The views, by index: 0 is integration (the default), then one per configured environment. A query's view is its
/// listener's, else the first view whose subnets hold the client's address, else integration.
/// </summary>
internal sealed class DnsViews
{
    public const int Default = 0;

    private readonly ImmutableArray<(IPNetwork Subnet, int View)> _subnets;

    private DnsViews(ImmutableArray<string> names, ImmutableArray<(IPNetwork, int)> subnets)
    {
        Names = names;
        _subnets = subnets;
    }

    /// <summary>The environment of each view.</summary>
    public ImmutableArray<string> Names { get; }

    public bool HasSubnets => !_subnets.IsEmpty;

    public static DnsViews Of(DnsOptions options)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        names.Add(EnvironmentNames.Integration);
        var subnets = ImmutableArray.CreateBuilder<(IPNetwork, int)>();
        foreach (var (env, view) in options.Views.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var name = env.ToLowerInvariant();
            var index = names.IndexOf(name);
            if (index < 0) { names.Add(name); index = names.Count - 1; }
            foreach (var subnet in view.Subnets) subnets.Add((IPNetwork.Parse(subnet), index));
        }
        return new DnsViews(names.ToImmutable(), subnets.ToImmutable());
    }

    public int IndexOf(string environment) => Names.IndexOf(environment.ToLowerInvariant());

    /// <summary>The view of a query from <paramref name="client"/> on a listener whose own view is <paramref name="listenerView"/> (null: none).</summary>
    public int Choose(int? listenerView, IPAddress? client)
    {
        if (listenerView is { } own) return own;
        if (client is null) return Default;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var (subnet, view) in _subnets)
            if (subnet.Contains(client)) return view;
        return Default;
    }
}
