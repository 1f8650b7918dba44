using Mesh.Registry.Formats;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Dto;

/// <summary>
/// Registered instances in Consul's JSON shapes. Pure. An instance's node is the node its source reported
/// (the agent's own for API registrations); CreateIndex and ModifyIndex are store positions.
/// </summary>
internal static class ConsulViews
{
    public const string MaintenanceCheckPrefix = "_service_maintenance:";
    public const string SerfHealthCheckId = "serfHealth";

    private static readonly IReadOnlyDictionary<string, string> NoMeta = ImmutableSortedDictionary<string, string>.Empty;

    /// <param name="withIndexes">Include CreateIndex and ModifyIndex (health entries do, the agent's listing does not).</param>
    public static AgentServiceDto AgentService(InstanceState instance, ConsulAgent agent, bool withIndexes = false)
    {
        var r = Registration(instance);
        return new AgentServiceDto(
            ID: ConsulServiceIds.ServiceId(instance.InstanceId),
            Service: r.Service,
            Tags: r.Tags,
            Meta: r.Meta,
            Port: r.Port,
            Address: r.Address,
            TaggedAddresses: ServiceTaggedAddresses(r),
            Weights: WeightsDto.Default,
            EnableTagOverride: false,
            CreateIndex: withIndexes ? instance.CreatePosition : null,
            ModifyIndex: withIndexes ? instance.ModifyPosition : null,
            Datacenter: agent.Datacenter,
            Namespace: ConsulAgent.Namespace);
    }

    public static CatalogServiceDto CatalogService(InstanceState instance, ConsulAgent agent)
    {
        var r = Registration(instance);
        var node = Node(instance, agent);
        return new CatalogServiceDto(
            ID: node.ID,
            Node: node.Node,
            Address: node.Address,
            Datacenter: node.Datacenter,
            TaggedAddresses: node.TaggedAddresses,
            NodeMeta: node.Meta,
            CreateIndex: instance.CreatePosition,
            ModifyIndex: instance.ModifyPosition,
            ServiceAddress: r.Address,
            ServiceEnableTagOverride: false,
            ServiceID: ConsulServiceIds.ServiceId(instance.InstanceId),
            ServiceKind: "",
            ServiceName: r.Service,
            ServicePort: r.Port,
            ServiceMeta: r.Meta,
            ServiceTaggedAddresses: ServiceTaggedAddresses(r),
            ServiceTags: r.Tags,
            ServiceWeights: WeightsDto.Default,
            ServiceProxy: ServiceProxyDto.None,
            ServiceConnect: ServiceConnectDto.None,
            Namespace: ConsulAgent.Namespace);
    }

    public static ServiceEntryDto HealthEntry(InstanceState instance, ConsulAgent agent)
    {
        var node = Node(instance, agent);
        return new ServiceEntryDto(node, AgentService(instance, agent, withIndexes: true), [.. Checks(instance, agent), SerfHealth(node.Node)]);
    }

    /// <summary>The instance's checks, and while it is in maintenance the critical maintenance check Consul adds.</summary>
    public static IEnumerable<HealthCheckDto> Checks(InstanceState instance, ConsulAgent agent)
    {
        var r = Registration(instance);
        var serviceId = ConsulServiceIds.ServiceId(instance.InstanceId);
        var node = NodeName(r, agent);
        if (instance.MaintenanceReason is { } reason)
        {
            yield return new HealthCheckDto(
                node, MaintenanceCheckPrefix + serviceId, "Service Maintenance Mode", Status(HealthStatus.Critical), reason, "",
                serviceId, r.Service, r.Tags, "", "", "", instance.ModifyPosition, instance.ModifyPosition, ConsulAgent.Namespace);
        }
        foreach (var check in instance.Checks.Values)
        {
            var spec = check.Spec;
            // Only the checks Mesh runs itself have an interval; TTL and source-reported ones (a Docker HEALTHCHECK)
            // are pushed, and a source's check is typed by its source, as Consul types Docker checks "docker".
            var periodic = spec.Kind is CheckKind.Http or CheckKind.Tcp;
            yield return new HealthCheckDto(
                node, spec.CheckId, spec.Name, Status(check.Status), "", check.Output, serviceId, r.Service, r.Tags,
                Type: spec.Kind == CheckKind.Source ? r.Source : spec.Kind.ToString().ToLowerInvariant(),
                Interval: periodic ? GoDuration.Format(spec.Interval) : "",
                Timeout: periodic ? GoDuration.Format(spec.Timeout) : "",
                CreateIndex: instance.CreatePosition,
                ModifyIndex: instance.ModifyPosition,
                Namespace: ConsulAgent.Namespace);
        }
    }

    /// <summary>The node-level check every Consul entry carries; Mesh's nodes are alive while Mesh answers.</summary>
    public static HealthCheckDto SerfHealth(string node) => new(
        node, SerfHealthCheckId, "Serf Health Status", Status(HealthStatus.Passing), "", "Agent alive and reachable",
        "", "", [], "", "", "", 1, 1, ConsulAgent.Namespace);

    public static NodeDto Node(InstanceState instance, ConsulAgent agent)
    {
        var r = Registration(instance);
        var name = NodeName(r, agent);
        // Mesh knows its own address; for another node (a Docker host) the instance's address stands in.
        var address = name == agent.NodeName ? agent.Address : r.Address;
        return AgentNode(agent, name, address);
    }

    public static NodeDto AgentNode(ConsulAgent agent, string name, string address) => new(
        ConsulAgent.NodeId(name), name, address, agent.Datacenter,
        new Dictionary<string, string> { ["lan"] = address, ["lan_ipv4"] = address, ["wan"] = address, ["wan_ipv4"] = address },
        NoMeta, 1, 1);

    public static string Status(HealthStatus status) => status switch
    {
        HealthStatus.Passing => "passing",
        HealthStatus.Warning => "warning",
        _ => "critical",
    };

    private static string NodeName(InstanceRegistered r, ConsulAgent agent) => string.IsNullOrEmpty(r.Node) ? agent.NodeName : r.Node;

    private static IReadOnlyDictionary<string, ServiceAddressDto> ServiceTaggedAddresses(InstanceRegistered r)
    {
        // Consul tags a service's own address as lan/wan by family; a host-name address gets none.
        var family = IPAddress.TryParse(r.Address, out var ip)
            ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4"
            : null;
        if (family is null) return ImmutableSortedDictionary<string, ServiceAddressDto>.Empty;
        var address = new ServiceAddressDto(r.Address, r.Port);
        return new Dictionary<string, ServiceAddressDto> { [$"lan_{family}"] = address, [$"wan_{family}"] = address };
    }

    private static InstanceRegistered Registration(InstanceState instance) =>
        instance.Registration ?? throw new InvalidOperationException($"Instance '{instance.InstanceId}' is not registered.");
}
