using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Observability;

/// <summary>
/// The host's logger factory as the gateway's server sees it, less ASP.NET Core's per-request hosting diagnostics:
/// while that category can log at all, hosting starts an <c>Activity</c> and a log scope for every request, which
/// costs a proxy a large share of its throughput. The gateway writes its own access log (<c>Mesh.Gateway.AccessLog</c>).
/// </summary>
internal sealed class GatewayLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == HostingDiagnostics ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The host owns the inner factory and disposes it.
    public void Dispose()
    {
    }
}
