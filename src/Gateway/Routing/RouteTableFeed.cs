using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mesh.Gateway.Configuration;
using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Observability;
using Mesh.Projections.Feed;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Routing;

/// <summary>
/// The gateway's coordinator: follows the <see cref="RegistryFeed"/>, builds a <see cref="RouteTable"/> for each new
/// state and swaps it in whole; requests read <see cref="Current"/> without locks. It also remembers, for the grace
/// period, the tables it replaced, so a request for a service that had a passing instance a moment ago (a container
/// being recreated) can wait for it instead of failing at once.
/// </summary>
internal sealed partial class RouteTableFeed : BackgroundService
{
    // Each replaced table holds every route; at 10k instances that is megabytes, so only the last 64 are kept for the
    // grace. Past 32 registry changes a second, a recreate's grace may no longer find the table it was routed by.
    private const int MaxRecent = 64;

    private readonly RegistryFeed _registry;
    private readonly GatewayOptions _options;
    private readonly RouteTableOptions _routeOptions;
    private readonly GatewayMetrics _metrics;
    private readonly OwnEndpoints _api;
    private readonly OwnEndpoints _gateway;
    private readonly ILogger<RouteTableFeed> _logger;
    private readonly ConcurrentDictionary<string, DestinationHealth> _health = new(StringComparer.Ordinal);
    private GatewayTable _current;
    private RecentTables _recent = RecentTables.Empty;
    private readonly AsyncSignal _changed = new();

    public RouteTableFeed(RegistryFeed registry, GatewayOptions options, GatewayMetrics metrics, ILogger<RouteTableFeed> logger)
    {
        _registry = registry;
        _options = options;
        _routeOptions = new RouteTableOptions(options.Domain, options.TestDomain);
        _metrics = metrics;
        _api = new OwnEndpoints([options.ApiUrl]);
        _gateway = new OwnEndpoints([options.Url, options.HttpsUrl, options.H2cUrl]);
        _logger = logger;
        _current = Build(registry.Current);
    }

    public GatewayTable Current => Volatile.Read(ref _current);

    /// <summary>Every endpoint's passive health, by instance and endpoint.</summary>
    public IReadOnlyDictionary<string, DestinationHealth> Health => _health;

    /// <summary>A table newer than <paramref name="position"/> as soon as one is swapped in, else the current one after <paramref name="timeout"/>.</summary>
    public Task<GatewayTable> WaitForNewerAsync(long position, TimeSpan timeout, CancellationToken ct) =>
        _changed.WaitForAsync(() => Current, table => table.Position > position, timeout, ct);

    /// <summary>
    /// The current table once it has caught up with the registry state published when this was called (a request
    /// that arrives just after a registration answered sees that registration), or after <paramref name="timeout"/>.
    /// </summary>
    public Task<GatewayTable> CaughtUpAsync(TimeSpan timeout, CancellationToken ct)
    {
        var target = _registry.Current.Position;
        var table = Current;
        return table.Position >= target ? Task.FromResult(table) : _changed.WaitForAsync(() => Current, t => t.Position >= target, timeout, ct);
    }

    /// <summary>
    /// Until when (<see cref="Environment.TickCount64"/> milliseconds) a request for <paramref name="host"/> and
    /// <paramref name="path"/> may wait: the grace of the last replaced table that still routed it to a destination; 0
    /// when none did.
    /// </summary>
    public long GraceUntil(string host, string path, long now)
    {
        long until = 0;
        foreach (var (table, expires) in Volatile.Read(ref _recent).Tables)
        {
            if (expires <= now) continue;
            if (table.Routes.Match(host, path) is { Cluster.Destinations.Length: > 0 }) until = Math.Max(until, expires);
        }
        return until;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // A table that cannot be built must not stop routing: the last good one keeps serving.
        _registry.FollowAsync(() => Current.Position, state => Publish(Build(state)), MoveTo,
            (position, ex) => Log.BuildFailed(_logger, position, ex), stoppingToken);

    // Nothing routes differently (an nginx audit record, a source fact): the same table at the new position, so a
    // request waiting for the table to catch up is not held, and the grace's recent tables keep their room.
    private void MoveTo(long position)
    {
        Volatile.Write(ref _current, Current.At(position));
        _changed.Set();
    }

    private GatewayTable Build(RegistryState state)
    {
        var routes = RouteTable.Of(state, _routeOptions);
        return new GatewayTable(routes, RuntimeOf);
    }

    // No route forwards into the gateway itself (a loop); only a declared route may name the API, on purpose, so a
    // generated one (<svc>.mesh) never exposes it.
    private RouteRuntime RuntimeOf(Route route)
    {
        var targets = route.Cluster.Destinations
            .Where(d => !_gateway.Contains(d.Address, d.Port) && (route.Kind == RouteKind.Declared || !_api.Contains(d.Address, d.Port)))
            .Select(d => new Target(d, _health.GetOrAdd(DestinationHealth.KeyOf(d), static key => new DestinationHealth(key))))
            .ToArray();
        var label = route.Host + route.PathPrefix;
        return new RouteRuntime(route, label, targets, _options.Timeout, _options.VersionCookie, _metrics.For(label, route.Cluster.Id));
    }

    private void Publish(GatewayTable table)
    {
        var old = Current;
        var now = Environment.TickCount64;
        Volatile.Write(ref _recent, Volatile.Read(ref _recent).Add(old, now + (long)_options.Grace.TotalMilliseconds, now, MaxRecent));
        Volatile.Write(ref _current, table);
        _changed.Set();

        LogConflicts(old.Routes, table.Routes);
        ForgetGoneEndpoints(table.Routes);
        Log.TableSwapped(_logger, table.Position, table.Routes.Routes.Length, table.Routes.Clusters.Count);
    }

    private void LogConflicts(RouteTable old, RouteTable table)
    {
        var known = old.Conflicts.ToHashSet();
        foreach (var c in table.Conflicts.Where(c => !known.Contains(c)))
            Log.RouteConflict(_logger, c.Host, c.PathPrefix, c.KeptBy, c.KeptInstance, c.RefusedFor, c.RefusedInstance, table.Position);
    }

    private void ForgetGoneEndpoints(RouteTable table)
    {
        var live = table.Clusters.Values.SelectMany(c => c.Destinations).Select(DestinationHealth.KeyOf).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _health.Keys)
            if (!live.Contains(key)) _health.TryRemove(key, out _);
    }

    /// <summary>The tables replaced within the grace, oldest first, with their count (a queue has none to read).</summary>
    private sealed record RecentTables(ImmutableQueue<(GatewayTable Table, long Until)> Tables, int Count)
    {
        public static readonly RecentTables Empty = new([], 0);

        /// <summary>Adds <paramref name="table"/>, dropping the expired ones and the oldest past <paramref name="max"/>.</summary>
        public RecentTables Add(GatewayTable table, long until, long now, int max)
        {
            var (tables, count) = (Tables, Count);
            while (count > 0 && (tables.Peek().Until <= now || count >= max))
            {
                tables = tables.Dequeue();
                count--;
            }
            return new RecentTables(tables.Enqueue((table, until)), count + 1);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Debug, "Gateway routes at position {Position}: {Routes} routes to {Clusters} clusters")]
        public static partial void TableSwapped(ILogger logger, long position, int routes, int clusters);

        [LoggerMessage(5002, LogLevel.Warning,
            "Route conflict on '{Host}{PathPrefix}': kept for {KeptBy} (instance '{KeptInstance}'), refused for {RefusedFor} (instance '{RefusedInstance}') at position {Position}")]
        public static partial void RouteConflict(ILogger logger, string host, string pathPrefix, string keptBy, string? keptInstance, string refusedFor, string? refusedInstance, long position);

        [LoggerMessage(5003, LogLevel.Error, "Gateway routes could not be built at position {Position}; the previous routes keep serving")]
        public static partial void BuildFailed(ILogger logger, long position, Exception exception);
    }
}
