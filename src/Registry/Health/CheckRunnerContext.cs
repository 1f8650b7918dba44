using Mesh.Registry.Instances;
using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Health;

/// <summary>What every check runner shares: probes, where results go, the clock, and the bound on probes in flight.</summary>
internal sealed class CheckRunnerContext(
    HttpProbe http,
    IObservationHandler handler,
    TtlHeartbeats heartbeats,
    TimeProvider clock,
    HealthCheckOptions options,
    HealthCounters counters,
    ILogger logger) : IDisposable
{
    public HttpProbe Http { get; } = http;
    public IObservationHandler Handler { get; } = handler;
    public TtlHeartbeats Heartbeats { get; } = heartbeats;
    public TimeProvider Clock { get; } = clock;
    public HealthCheckOptions Options { get; } = options;
    public HealthCounters Counters { get; } = counters;
    public ILogger Logger { get; } = logger;
    public SemaphoreSlim Gate { get; } = new(options.MaxConcurrentProbes, options.MaxConcurrentProbes);

    public void Dispose()
    {
        Http.Dispose();
        Gate.Dispose();
    }
}
