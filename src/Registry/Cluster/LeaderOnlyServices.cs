using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Cluster;

/// <summary>
/// Runs the hosted services registered with <see cref="LeaderOnlyServicesExtensions.AddLeaderOnlyService{T}"/> while
/// this process leads: started when it becomes the leader, stopped when it stops leading, started again if it
/// leads again (the services keep no state a restart would lose: what they need is in the log).
/// </summary>
internal sealed partial class LeaderOnlyServices(
    ILeadership leadership,
    IEnumerable<LeaderOnlyService> registrations,
    IServiceProvider services,
    ILogger<LeaderOnlyServices> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hosted = registrations.Select(r => (IHostedService)services.GetRequiredService(r.Type)).ToList();
        if (hosted.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leading;
            try
            {
                leading = await leadership.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Log.Leading(logger, hosted.Count);
            foreach (var service in hosted) await service.StartAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, leading).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            if (!stoppingToken.IsCancellationRequested) Log.NoLongerLeading(logger);
            foreach (var service in Enumerable.Reverse(hosted))
            {
                try { await service.StopAsync(CancellationToken.None).ConfigureAwait(false); }
                catch (Exception ex) { Log.StopFailed(logger, service.GetType().Name, ex); }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "This process leads: starting {Count} leader-only services")]
        public static partial void Leading(ILogger logger, int count);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "This process no longer leads: stopping the leader-only services")]
        public static partial void NoLongerLeading(ILogger logger);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Stopping leader-only service {Service} failed")]
        public static partial void StopFailed(ILogger logger, string service, Exception exception);
    }
}

/// <summary>A hosted service that runs on the leader only.</summary>
internal sealed record LeaderOnlyService(Type Type);

public static class LeaderOnlyServicesExtensions
{
    /// <summary>
    /// Registers <typeparamref name="T"/> (already registered as a singleton) to run only while this process leads,
    /// instead of as a plain hosted service.
    /// </summary>
    public static IServiceCollection AddLeaderOnlyService<T>(this IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton(new LeaderOnlyService(typeof(T)));
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(LeaderOnlyServices)))
            services.AddHostedService<LeaderOnlyServices>();
        return services;
    }
}
