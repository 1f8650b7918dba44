using Mesh.Dns.Zones;
using Mesh.Projections.Feed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// Follows the <see cref="RegistryFeed"/> and swaps in a new <see cref="ZoneSnapshot"/> for each new state; queries
/// read <see cref="Current"/> without locks. A state whose registry is unchanged keeps the view and its cached
/// answers. A view that cannot be built leaves the last good one answering.
/// </summary>
internal sealed partial class DnsZoneFeed : BackgroundService
{
    private readonly RegistryFeed _registry;
    private readonly ZoneSettings _settings;
    private readonly ILogger<DnsZoneFeed> _logger;
    private ZoneSnapshot _current;

    public DnsZoneFeed(RegistryFeed registry, ZoneSettings settings, ILogger<DnsZoneFeed> logger)
    {
        _registry = registry;
        _settings = settings;
        _logger = logger;
        _current = new ZoneSnapshot(ZoneView.Of(registry.Current, settings));
    }

    public ZoneSnapshot Current => Volatile.Read(ref _current);

    public ZoneSettings Settings => _settings;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _registry.FollowAsync(() => Current.Position, state =>
        {
            Volatile.Write(ref _current, new ZoneSnapshot(ZoneView.Of(state, _settings)));
            Log.ZoneSwapped(_logger, state.Position, state.Instances.Count);
        }, position => Volatile.Write(ref _current, Current.At(position)), (position, ex) => Log.BuildFailed(_logger, position, ex), stoppingToken);

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Debug, "DNS zones at position {Position}: {Instances} instances")]
        public static partial void ZoneSwapped(ILogger logger, long position, int instances);

        [LoggerMessage(4002, LogLevel.Error, "DNS zones could not be built at position {Position}; the previous answers keep serving")]
        public static partial void BuildFailed(ILogger logger, long position, Exception exception);
    }
}
