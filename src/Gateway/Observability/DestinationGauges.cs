using Mesh.Gateway.LoadBalancing;
using Mesh.Gateway.Routing;

namespace Mesh.Gateway.Observability;

/// <summary>Sets <c>mesh_gateway_destinations{service,state}</c> from the current routes, when Prometheus scrapes.</summary>
internal static class DestinationGauges
{
    public static void Update(GatewayMetrics metrics, RouteTableFeed feed)
    {
        var now = Environment.TickCount64;
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
        }
    }
}
