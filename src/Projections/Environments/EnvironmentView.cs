using System.Collections.Immutable;
using Mesh.Projections.State;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Environments;

/// <summary>
/// The environments of a <see cref="RegistryState"/> and which instances serve a service in each. Pure and
/// immutable: build one per state with <see cref="Of"/>; the gateway and DNS share it.
/// <list type="bullet">
/// <item>An environment exists while it has a registered instance, or when it was defined explicitly;
/// <c>integration</c> always exists.</item>
/// <item>Its fallback is the defined one, else <c>integration</c>; integration has none.</item>
/// </list>
/// </summary>
public sealed class EnvironmentView
{
    // Every existing environment's chain, computed once: views are asked Resolve(env, service) for every pair.
    private readonly Dictionary<string, IReadOnlyList<string>> _chains = new(StringComparer.Ordinal);

    private EnvironmentView(ImmutableSortedDictionary<string, EnvironmentEntry> environments)
    {
        Environments = environments;
        foreach (var name in environments.Keys) _chains[name] = BuildChain(name);
    }

    /// <summary>Every existing environment by name.</summary>
    public ImmutableSortedDictionary<string, EnvironmentEntry> Environments { get; }

    public static EnvironmentView Of(RegistryState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // Instances come in id order, so each service's list is in id order too.
        var running = new Dictionary<string, Dictionary<string, ImmutableArray<InstanceState>.Builder>>(StringComparer.Ordinal);
        foreach (var instance in state.Instances.Values)
        {
            if (instance.Registration is not { } r) continue;
            if (!running.TryGetValue(r.Env, out var services)) running[r.Env] = services = new(StringComparer.Ordinal);
            if (!services.TryGetValue(r.Service, out var list)) services[r.Service] = list = ImmutableArray.CreateBuilder<InstanceState>();
            list.Add(instance);
        }

        var names = running.Keys.Concat(state.Environments.Keys).Append(EnvironmentNames.Integration).Distinct(StringComparer.Ordinal);
        var entries = ImmutableSortedDictionary.CreateBuilder<string, EnvironmentEntry>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var services = running.TryGetValue(name, out var s)
                ? s.ToImmutableSortedDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal)
                : ImmutableSortedDictionary<string, ImmutableArray<InstanceState>>.Empty;
            // integration is the root whatever the log says: a definition of it (which the registry refuses) is ignored.
            if (name == EnvironmentNames.Integration)
                entries[name] = new EnvironmentEntry(name, null, false, services);
            else if (state.Environments.TryGetValue(name, out var fallback))
                entries[name] = new EnvironmentEntry(name, fallback, true, services);
            else
                entries[name] = new EnvironmentEntry(name, EnvironmentNames.Integration, false, services);
        }
        return new EnvironmentView(entries.ToImmutable());
    }

    public bool Exists(string env) => Environments.ContainsKey(env);

    /// <summary>
    /// The environments asked in turn for <paramref name="env"/>: itself, its fallback, the fallback's fallback, ...,
    /// ending with integration. An environment that does not exist falls back to integration. A cycle
    /// (a → b → a) is cut where it would repeat, and the chain goes on to integration.
    /// </summary>
    public IReadOnlyList<string> Chain(string env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return _chains.TryGetValue(env, out var chain) ? chain : BuildChain(env);
    }

    private IReadOnlyList<string> BuildChain(string env)
    {
        var chain = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (string? current = env; current is not null && seen.Add(current); )
        {
            chain.Add(current);
            current = FallbackOf(current);
            if (current is not null && seen.Contains(current)) current = EnvironmentNames.Integration;
        }
        return chain;
    }

    /// <summary>
    /// The instances that serve <paramref name="service"/> for <paramref name="env"/>: those of the first environment
    /// on <see cref="Chain"/> that runs the service at all. Running means any registered instance, passing or not: an
    /// environment that deploys its own copy of a service is there to test that copy, so while it is broken (or
    /// restarting) callers see it broken instead of silently getting integration's copy, which may be another
    /// version with another schema. Callers that send traffic take <see cref="EnvironmentResolution.Passing"/>.
    /// </summary>
    public EnvironmentResolution Resolve(string env, string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var candidate in Chain(env))
        {
            if (Environments.TryGetValue(candidate, out var entry) && entry.Services.TryGetValue(service, out var instances))
                return new EnvironmentResolution(env, service, candidate, instances);
        }
        return new EnvironmentResolution(env, service, null, []);
    }

    /// <summary>The defined fallback, else integration; null for integration.</summary>
    private string? FallbackOf(string env) =>
        env == EnvironmentNames.Integration ? null
        : Environments.TryGetValue(env, out var entry) ? entry.Fallback
        : EnvironmentNames.Integration;
}
