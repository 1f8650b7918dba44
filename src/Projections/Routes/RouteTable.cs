using System.Collections.Immutable;
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
        _exact = Index(routes.Where(r => !r.IsWildcard), r => r.Host);
        _wildcard = Index(routes.Where(r => r.IsWildcard), r => r.Host[2..]);
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
        var builder = new Builder(EnvironmentView.Of(state));

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

    private static Dictionary<string, Route[]> Index(IEnumerable<Route> routes, Func<Route, string> key) =>
        routes.GroupBy(key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(
                g => g.Key,
                g => g.OrderByDescending(r => r.PathPrefix.Length).ThenBy(r => r.PathPrefix, StringComparer.Ordinal).ToArray(),
                StringComparer.OrdinalIgnoreCase);

    private sealed class Builder(EnvironmentView view)
    {
        private readonly Dictionary<(string Host, string Prefix), Route> _routes = [];
        private readonly Dictionary<string, RouteCluster> _clusters = new(StringComparer.Ordinal);
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

        public RouteTable Build(long position) => new(
            position,
            [.. _routes.Values.OrderBy(r => r.Host, StringComparer.Ordinal).ThenBy(r => r.PathPrefix, StringComparer.Ordinal)],
            _clusters.ToImmutableSortedDictionary(StringComparer.Ordinal),
            [.. _conflicts]);

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
