using Mesh.Host.Api.Consul.Blocking;
using Mesh.Host.Api.Consul.Dto;
using Mesh.Registry.Events;

namespace Mesh.Host.Api.Consul.Health;

/// <summary><c>/v1/health/...</c>: instances with their checks. Blocking reads; open without a token.</summary>
internal static class HealthEndpoints
{
    private static readonly string[] States = ["any", "passing", "warning", "critical"];

    public static RouteGroupBuilder MapHealthEndpoints(this RouteGroupBuilder v1)
    {
        var health = v1.MapGroup("/health");

        // ?passing keeps instances whose checks all pass (maintenance counts as critical); ?tag= may repeat.
        health.MapGet("/service/{name}", (string name, HttpContext http, ConsulAgent agent) =>
        {
            if (ConsulQuery.Flag(http.Request.Query, "passing") is not { } passing)
                return Task.FromResult(ConsulResults.BadRequest("Invalid value for passing: use ?passing, ?passing=true or ?passing=false"));
            var tags = http.Request.Query["tag"];
            return BlockingRead.ServeAsync(
                http,
                s => s.ServicePosition(name),
                s => s.InstancesOf(name)
                    .Where(i => (!passing || i.Status == HealthStatus.Passing) && InstanceFilters.HasTags(i, tags))
                    .Select(i => ConsulViews.HealthEntry(i, agent))
                    .ToArray());
        });

        health.MapGet("/checks/{name}", (string name, HttpContext http, ConsulAgent agent) => BlockingRead.ServeAsync(
            http,
            s => s.ServicePosition(name),
            s => s.InstancesOf(name).SelectMany(i => ConsulViews.Checks(i, agent)).ToArray()));

        health.MapGet("/state/{state}", (string state, HttpContext http, ConsulAgent agent) =>
        {
            if (!States.Contains(state))
                return Task.FromResult(ConsulResults.BadRequest($"Unsupported state '{state}': use one of {string.Join(", ", States)}"));
            return BlockingRead.ServeAsync(
                http,
                s => s.HealthPosition,
                s =>
                {
                    var nodes = s.Instances.Values.Select(i => ConsulViews.Node(i, agent).Node).Append(agent.NodeName).Distinct();
                    return s.Instances.Values
                        .SelectMany(i => ConsulViews.Checks(i, agent))
                        .Concat(nodes.Select(ConsulViews.SerfHealth))
                        .Where(c => state == "any" || c.Status == state)
                        .ToArray();
                });
        });
        return v1;
    }
}
