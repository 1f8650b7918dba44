using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Mesh.Projections.Environments;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Routes;

/// <summary>
/// Which cluster a request for a host and path goes to, as a pure function of a <see cref="RegistryState"/>. The
/// gateway matches every request against the table of the state it serves; forensics asks the same question of a
/// past state. Built whole per state, frozen, read without locks.
/// <list type="bullet">
/// <item>Declared routes (labels, Meta, marathon-lb vhosts) route to the declaring instance's service in its own
/// environment.</item>
/// <item><c>&lt;service&gt;.&lt;Domain&gt;</c> routes to the service in integration, for every service the registry
/// has known (one whose instances all went keeps its route: a recreate answers 503, not 404).</item>
/// <item><c>&lt;service&gt;.&lt;env&gt;.&lt;TestDomain&gt;</c> routes to the service as <c>env</c> sees it, falling back
/// along the environment's chain, for every existing environment.</item>
/// <item>Most specific first: an exact host over a wildcard one, a longer path prefix over a shorter one.</item>
/// <item>The same host and prefix claimed for two clusters: the earlier claim keeps it (declared routes by the
/// declaring instance's first registration, then generated ones), the other is listed in <see cref="Conflicts"/>.</item>
/// </list>
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, Route[]> _exact;
    private readonly Dictionary<string, Route[]> _wildcard;

    private RouteTable(
        long position,
        ImmutableArray<Route> routes,
        ImmutableSortedDictionary<string, RouteCluster> clusters,
        ImmutableArray<RouteConflict> conflicts)
    {
        Position = position;
        Routes = routes;
        Clusters = clusters;
        Conflicts = conflicts;
        // Per host, the longest prefix first, so the first covering route is the most specific one. Plain dictionaries,
        // never written after this: measured faster than frozen ones here, to build and to read.
        (_exact, _wildcard) = Index(routes);
    }

    public static readonly RouteTable Empty = new(0, [], ImmutableSortedDictionary<string, RouteCluster>.Empty, []);

    /// <summary>The position of the state this table was built from.</summary>
    public long Position { get; }

    /// <summary>Every route, ordered by host then path prefix.</summary>
    public ImmutableArray<Route> Routes { get; }

    /// <summary>Every cluster some route leads to, by id.</summary>
    public ImmutableSortedDictionary<string, RouteCluster> Clusters { get; }

    public ImmutableArray<RouteConflict> Conflicts { get; }

    public static RouteTable Of(RegistryState state, RouteTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var view = EnvironmentView.Of(state);
        // A generated route per service in integration and in each environment, plus the declared ones: sized once.
        var builder = new Builder(view, state.Services.Count * (view.Environments.Count + 1));

        // Declared routes, earliest registration first: the first claim of a host and prefix keeps it.
        foreach (var instance in state.Instances.Values
                     .Where(i => i.Registration is { Routes.IsDefaultOrEmpty: false })
                     .OrderBy(i => i.CreatePosition).ThenBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            var r = instance.Registration!;
            foreach (var spec in r.Routes) builder.Claim(spec, r.Service, r.Env, instance.InstanceId);
        }

        var domain = options.Domain.Trim('.').ToLowerInvariant();
        var testDomain = options.TestDomain.Trim('.').ToLowerInvariant();
        foreach (var service in state.Services.Keys)
            builder.Claim(new RouteSpec($"{service}.{domain}"), service, EnvironmentNames.Integration, null, RouteKind.Service);
        foreach (var env in builder.View.Environments.Keys)
        {
            foreach (var service in state.Services.Keys)
                builder.Claim(new RouteSpec($"{service}.{env}.{testDomain}"), service, env, null, RouteKind.Environment);
        }
        return builder.Build(state.Position);
    }

    /// <summary>
    /// The route for a request: <paramref name="host"/> without its port (any case), <paramref name="path"/> as
    /// received. Null when no route covers it.
    /// </summary>
    public Route? Match(string host, ReadOnlySpan<char> path)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_exact.TryGetValue(host, out var routes) && First(routes, path) is { } exact) return exact;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcard.TryGetValue(host[(dot + 1)..], out routes)) return First(routes, path);
        return null;
    }

    private static Route? First(Route[] routes, ReadOnlySpan<char> path)
    {
        foreach (var route in routes)
            if (route.Covers(path)) return route;
        return null;
    }

    /// <summary>
    /// Exact and wildcard (<c>*.</c> cut off) hosts → their routes, longest prefix first. <paramref name="routes"/> are
    /// ordered by host, so each host's routes are one run; most hosts have one route, which needs no sorting. Built
    /// without LINQ: a table is rebuilt on every registry change, and grouping and sorting per host allocated most of it.
    /// </summary>
    private static (Dictionary<string, Route[]> Exact, Dictionary<string, Route[]> Wildcard) Index(ImmutableArray<Route> routes)
    {
        var exact = new Dictionary<string, Route[]>(routes.Length, StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, Route[]>(StringComparer.OrdinalIgnoreCase);
        for (var start = 0; start < routes.Length;)
        {
            var host = routes[start].Host;
            var end = start + 1;
            while (end < routes.Length && routes[end].Host == host) end++;
            var run = routes.AsSpan(start, end - start).ToArray();
            if (run.Length > 1) Array.Sort(run, MostSpecificFirst);
            if (run[0].IsWildcard) wildcard[host[2..]] = run;
            else exact[host] = run;
            start = end;
        }
        return (exact, wildcard);
    }

    private static int MostSpecificFirst(Route a, Route b) =>
        a.PathPrefix.Length != b.PathPrefix.Length
            ? b.PathPrefix.Length.CompareTo(a.PathPrefix.Length)
            : string.CompareOrdinal(a.PathPrefix, b.PathPrefix);

    private static int ByHostThenPrefix(Route a, Route b) =>
        string.CompareOrdinal(a.Host, b.Host) is var byHost and not 0 ? byHost : string.CompareOrdinal(a.PathPrefix, b.PathPrefix);

    private sealed class Builder(EnvironmentView view, int capacity)
    {
        private readonly Dictionary<(string Host, string Prefix), Route> _routes = new(capacity);
        private readonly Dictionary<string, RouteCluster> _clusters = new(capacity, StringComparer.Ordinal);
        // Environments that fall back share the instances they fall back to: one destination list per (env, service).
        private readonly Dictionary<(string Env, string Service), ImmutableArray<RouteDestination>> _destinations = [];
        private readonly List<RouteConflict> _conflicts = [];

        public EnvironmentView View => view;

        public void Claim(RouteSpec spec, string service, string env, string? instanceId, RouteKind kind = RouteKind.Declared)
        {
            var host = spec.Host.Trim().TrimEnd('.').ToLowerInvariant();
            if (host.Length == 0) return;
            var prefix = NormalizePrefix(spec.PathPrefix);
            var cluster = Cluster(service, env);
            if (_routes.TryGetValue((host, prefix), out var kept))
            {
                if (kept.Cluster.Id != cluster.Id)
                    _conflicts.Add(new RouteConflict(host, prefix, kept.Cluster.Id, kept.DeclaredBy, cluster.Id, instanceId));
                return;
            }
            _routes[(host, prefix)] = new Route(host, prefix, cluster, kind, spec.StripPrefix && prefix != "/", spec.HttpsRedirect, spec.Timeout, instanceId);
        }

        public RouteTable Build(long position)
        {
            var routes = new Route[_routes.Count];
            _routes.Values.CopyTo(routes, 0);
            Array.Sort(routes, ByHostThenPrefix);
            return new(position, ImmutableCollectionsMarshal.AsImmutableArray(routes), _clusters.ToImmutableSortedDictionary(StringComparer.Ordinal), [.. _conflicts]);
        }

        private RouteCluster Cluster(string service, string env)
        {
            var id = RouteCluster.IdOf(service, env);
            if (_clusters.TryGetValue(id, out var cluster)) return cluster;
            var resolution = view.Resolve(env, service);
            var destinations = ImmutableArray<RouteDestination>.Empty;
            if (resolution.AnsweredBy is { } answeredBy && !_destinations.TryGetValue((answeredBy, service), out destinations))
            {
                destinations = resolution.Passing
                    .Select(i => i.Registration!)
                    .Where(IsRoutable)
                    .Select(r => new RouteDestination(r.InstanceId, r.Address, r.Port, r.Version))
                    .ToImmutableArray();
                _destinations[(answeredBy, service)] = destinations;
            }
            return _clusters[id] = new RouteCluster(id, service, env, resolution.AnsweredBy, destinations);
        }

        /// <summary>A prefix starts with '/' and has no trailing '/' (except "/" itself), so "/api/" and "/api" are one route.</summary>
        private static string NormalizePrefix(string? prefix)
        {
            if (string.IsNullOrEmpty(prefix)) return "/";
            if (!prefix.StartsWith('/')) prefix = "/" + prefix;
            return prefix.Length > 1 ? prefix.TrimEnd('/') is { Length: > 0 } p ? p : "/" : prefix;
        }
    }

    /// <summary>The Docker mapper's marker for an instance without a usable port (named here: consumers do not reference sources).</summary>
    public const string UnroutableMeta = "mesh-unroutable";

    /// <summary>Whether traffic can be sent to <paramref name="r"/>: it has an address and a port, and no source marked it unroutable.</summary>
    public static bool IsRoutable(InstanceRegistered r) =>
        r.Port > 0 && !string.IsNullOrEmpty(r.Address) && !r.Meta.ContainsKey(UnroutableMeta);
}
