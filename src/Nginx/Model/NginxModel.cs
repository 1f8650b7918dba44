using Mesh.Nginx.Configuration;
using Mesh.Projections.Environments;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Nginx.Model;

/// <summary>
/// What a target renders, as a pure function of a <see cref="RegistryState"/>: upstreams per service and
/// environment and (full mode) server blocks. Everything is sorted ordinally, so equal states render equal bytes.
/// </summary>
public sealed record NginxModel(
    string Target,
    long Position,
    bool Full,
    string Listen,
    string PlaceholderListen,
    IReadOnlyList<NginxUpstream> Upstreams,
    IReadOnlyList<NginxServer> Servers)
{
    public bool HasPlaceholder => Upstreams.Any(u => u.Placeholder);

    /// <summary>The route table's cluster id: <c>web</c> for integration, <c>web--feature-x</c> otherwise.</summary>
    public static string UpstreamName(string service, string env) => RouteCluster.IdOf(service, env);

    public static NginxModel From(RegistryState state, string target, NginxTargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var view = EnvironmentView.Of(state);
        var services = options.Services.Count > 0 ? new HashSet<string>(options.Services, StringComparer.Ordinal) : null;
        var envs = options.Environments.Count > 0 ? new HashSet<string>(options.Environments, StringComparer.Ordinal) : null;

        var allServices = view.Environments.Values.SelectMany(e => e.Services.Keys)
            .Where(s => services is null || services.Contains(s))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // A service asked for by name renders even before it has an instance, so hand-written blocks validate.
        if (services is not null) allServices = allServices.Union(services, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var environments = view.Environments.Keys.Where(e => envs is null || envs.Contains(e)).ToList();

        var upstreams = new List<NginxUpstream>();
        foreach (var env in environments)
        {
            foreach (var service in allServices)
            {
                var resolution = view.Resolve(env, service);
                // Environments other than integration get an upstream for what they run or fall back to; integration
                // gets every service so that `proxy_pass http://<service>;` always names a defined upstream.
                upstreams.Add(new NginxUpstream(UpstreamName(service, env), service, env, resolution.AnsweredBy, Routable(resolution.Passing)));
            }
        }

        var servers = options.IsFull ? ServerBlocks(state, environments, allServices, options) : [];
        return new NginxModel(target, state.Position, options.IsFull, options.Listen, options.EffectivePlaceholderListen, upstreams, servers);
    }

    private static List<NginxEndpoint> Routable(IEnumerable<InstanceState> passing) =>
        passing.Select(i => i.Registration!)
            .Where(RouteTable.IsRoutable)
            .Select(r => new NginxEndpoint(r.InstanceId, r.Address, r.Port))
            .OrderBy(e => e.Address, StringComparer.Ordinal).ThenBy(e => e.Port).ThenBy(e => e.InstanceId, StringComparer.Ordinal)
            .DistinctBy(e => e.Endpoint)
            .ToList();


    /// <summary>
    /// Server blocks from the shared <see cref="RouteTable"/> (the gateway routes by the same table, so both agree on
    /// which service a host and path reach, conflicts included): declared routes and environment hosts whose
    /// environment runs the service or falls back to one that does.
    /// </summary>
    private static List<NginxServer> ServerBlocks(RegistryState state, List<string> environments, List<string> services, NginxTargetOptions options)
    {
        var envSet = environments.ToHashSet(StringComparer.Ordinal);
        var serviceSet = services.ToHashSet(StringComparer.Ordinal);
        var testDomain = string.IsNullOrWhiteSpace(options.TestDomain) ? RouteTableOptions.DefaultTestDomain : options.TestDomain;
        var table = RouteTable.Of(state, RouteTableOptions.Default with { TestDomain = testDomain });
        return table.Routes
            .Where(r => r.Kind != RouteKind.Service && r.Cluster.AnsweredBy is not null)
            .Where(r => envSet.Contains(r.Cluster.Env) && serviceSet.Contains(r.Cluster.Service))
            .GroupBy(r => r.Host, StringComparer.Ordinal)
            .Select(g => new NginxServer(g.Key, g.Select(Location).OrderBy(l => l.Path, StringComparer.Ordinal).ToList()))
            .OrderBy(s => s.Host, StringComparer.Ordinal)
            .ToList();
    }

    // Prefixes match whole segments, as in the gateway: "/api" renders "location /api/" (nginx redirects "/api" to it).
    // Stripping maps /api/x to /x: nginx replaces the matched location with proxy_pass's URI part ("/").
    private static NginxLocation Location(Route route) =>
        route.PathPrefix == "/"
            ? new NginxLocation("/", route.Cluster.Id, false)
            : new NginxLocation(route.PathPrefix + "/", route.Cluster.Id, route.StripPrefix);
}
