using Mesh.Nginx.Configuration;
using Mesh.Projections.Environments;
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

    public static string UpstreamName(string service, string env) =>
        env == EnvironmentNames.Integration ? service : $"{service}--{env}";

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

        var servers = options.IsFull ? ServerBlocks(state, view, environments, allServices, options) : [];
        return new NginxModel(target, state.Position, options.IsFull, options.Listen, options.EffectivePlaceholderListen, upstreams, servers);
    }

    private static List<NginxEndpoint> Routable(IEnumerable<InstanceState> passing) =>
        passing.Select(i => i.Registration!)
            .Where(r => r.Port > 0 && !r.Meta.ContainsKey(UnroutableMeta))
            .Select(r => new NginxEndpoint(r.InstanceId, r.Address, r.Port))
            .OrderBy(e => e.Address, StringComparer.Ordinal).ThenBy(e => e.Port).ThenBy(e => e.InstanceId, StringComparer.Ordinal)
            .DistinctBy(e => e.Endpoint)
            .ToList();

    /// <summary>The Docker mapper's marker for an instance without a usable port (kept here: consumers do not reference sources).</summary>
    internal const string UnroutableMeta = "mesh-unroutable";

    private static List<NginxServer> ServerBlocks(
        RegistryState state, EnvironmentView view, List<string> environments, List<string> services, NginxTargetOptions options)
    {
        var envSet = environments.ToHashSet(StringComparer.Ordinal);
        var serviceSet = services.ToHashSet(StringComparer.Ordinal);
        // host -> path -> location; the first claim in instance-id order wins, so conflicts resolve the same way every time.
        var hosts = new SortedDictionary<string, SortedDictionary<string, NginxLocation>>(StringComparer.Ordinal);
        foreach (var instance in state.Instances.Values)
        {
            if (instance.Registration is not { } r || !envSet.Contains(r.Env) || !serviceSet.Contains(r.Service)) continue;
            foreach (var route in r.Routes)
            {
                var host = route.Host.Trim().ToLowerInvariant();
                if (host.Length == 0) continue;
                var location = Location(route, UpstreamName(r.Service, r.Env));
                if (!hosts.TryGetValue(host, out var paths)) hosts[host] = paths = new(StringComparer.Ordinal);
                paths.TryAdd(location.Path, location);
            }
        }

        var testDomain = string.IsNullOrWhiteSpace(options.TestDomain) ? "test.mesh" : options.TestDomain.Trim('.');
        foreach (var env in environments)
        {
            foreach (var service in services)
            {
                if (!view.Resolve(env, service).Found) continue;
                var host = $"{service}.{env}.{testDomain}";
                if (!hosts.TryGetValue(host, out var paths)) hosts[host] = paths = new(StringComparer.Ordinal);
                paths.TryAdd("/", new NginxLocation("/", UpstreamName(service, env), false));
            }
        }
        return hosts.Select(h => new NginxServer(h.Key, h.Value.Values.ToList())).ToList();
    }

    private static NginxLocation Location(RouteSpec route, string upstream)
    {
        var prefix = string.IsNullOrEmpty(route.PathPrefix) ? "/" : route.PathPrefix.StartsWith('/') ? route.PathPrefix : "/" + route.PathPrefix;
        if (prefix == "/") return new NginxLocation("/", upstream, false);
        // Stripping maps /api/x to /x: nginx replaces the matched location with proxy_pass's URI part ("/").
        if (route.StripPrefix) return new NginxLocation(prefix.TrimEnd('/') + "/", upstream, true);
        return new NginxLocation(prefix, upstream, false);
    }
}
