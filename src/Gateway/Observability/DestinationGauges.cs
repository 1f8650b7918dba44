using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Routing;

namespace Mesh.Gateway.Observability;

/// <summary>
/// Sets <c>mesh_gateway_destinations{service,state}</c> from the current routes, when Prometheus scrapes; removes the
/// series of services that no longer run in their environment.
/// </summary>
internal static class DestinationGauges
{
    public static void Update(GatewayMetrics metrics, RouteTableFeed feed)
    {
        var now = Environment.TickCount64;
        var set = new HashSet<string>(StringComparer.Ordinal);
        // Only a service's own instances in each environment: an environment that falls back shares them, and a gauge per
        // (service, environment) pair would grow with every environment times every service.
        foreach (var cluster in feed.Current.Routes.Clusters.Values.Where(c => c.AnsweredBy == c.Env))
        {
            var passing = 0;
            var @out = 0;
            foreach (var d in cluster.Destinations)
            {
                if (feed.Health.TryGetValue(DestinationHealth.KeyOf(d), out var health) && health.IsOut(now)) @out++;
                else passing++;
            }
            metrics.Destinations.WithLabels(cluster.Id, "passing").Set(passing);
            metrics.Destinations.WithLabels(cluster.Id, "out").Set(@out);
            set.Add(cluster.Id);
        }
        // A service that no longer runs in its environment leaves no series behind: its last value would be a false one.
        foreach (var labels in metrics.Destinations.GetAllLabelValues().ToArray())
            if (!set.Contains(labels[0])) metrics.Destinations.RemoveLabelled(labels);
    }
}
