using System.Reflection;
using Mesh.Host.Api.Consul.Blocking;
using Mesh.Host.Api.Consul.Dto;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// <c>GET /v1/agent/services</c>, <c>/service/{id}</c>, <c>/checks</c> and <c>/self</c>. Mesh is the one agent of
/// every instance it knows, so these list all instances, whatever their source (see <see cref="ConsulServiceIds"/>).
/// </summary>
internal static class AgentReadEndpoints
{
    /// <summary>The Consul API level Mesh answers as; clients that gate features on the agent's version read it.</summary>
    public const string CompatibleConsulVersion = "1.20.0";

    public static RouteGroupBuilder MapAgentReadEndpoints(this RouteGroupBuilder agent)
    {
        agent.MapGet("/services", (HttpContext http, ConsulAgent consul) => BlockingRead.ServeAsync(
            http,
            s => s.CatalogPosition,
            s => s.Instances.Values
                .Where(i => InstanceFilters.HasTags(i, http.Request.Query["tag"]))
                .ToDictionary(i => ConsulServiceIds.ServiceId(i.InstanceId), i => ConsulViews.AgentService(i, consul))));

        // Consul blocks this one by content hash (?hash=); Mesh also takes ?index= (the instance's last change).
        agent.MapGet("/service/{id}", (string id, HttpContext http, ConsulAgent consul) => BlockingRead.ServeAsync(
            http,
            s => ConsulServiceIds.Resolve(s, id) is { } instanceId ? s.Instances[instanceId].ModifyPosition : s.CatalogPosition,
            s => ConsulServiceIds.Resolve(s, id) is { } instanceId ? ConsulViews.AgentService(s.Instances[instanceId], consul) : null,
            notFound: $"Unknown service ID '{id}'",
            contentHash: true));

        agent.MapGet("/checks", (HttpContext http, ConsulAgent consul) => BlockingRead.ServeAsync(
            http,
            s => s.HealthPosition,
            s => s.Instances.Values.SelectMany(i => ConsulViews.Checks(i, consul)).ToDictionary(c => c.CheckID)));

        agent.MapGet("/self", (ConsulAgent consul) => Results.Json(new
        {
            Config = new
            {
                consul.Datacenter,
                PrimaryDatacenter = consul.Datacenter,
                consul.NodeName,
                NodeID = ConsulAgent.NodeId(consul.NodeName),
                Revision = "",
                Server = true,
                Version = CompatibleConsulVersion,
            },
            Member = new
            {
                Name = consul.NodeName,
                Addr = consul.Address,
                Port = 8301,
                Tags = new Dictionary<string, string>
                {
                    ["dc"] = consul.Datacenter,
                    ["role"] = "consul",
                    ["id"] = ConsulAgent.NodeId(consul.NodeName),
                    ["build"] = CompatibleConsulVersion,
                },
                Status = 1,
            },
            Meta = new Dictionary<string, string>(),
            Mesh = new
            {
                Version = typeof(AgentReadEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            },
        }));
        return agent;
    }
}
