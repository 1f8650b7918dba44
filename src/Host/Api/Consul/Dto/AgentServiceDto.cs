using System.Text.Json.Serialization;

namespace Mesh.Host.Api.Consul.Dto;

/// <summary>
/// Consul's <c>AgentService</c>: the values of <c>/v1/agent/services</c>, <c>/v1/agent/service/{id}</c> and the
/// <c>Service</c> of each <c>/v1/health/service/{name}</c> entry.
/// </summary>
internal sealed record AgentServiceDto(
    string ID,
    string Service,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Meta,
    int Port,
    string Address,
    IReadOnlyDictionary<string, ServiceAddressDto> TaggedAddresses,
    WeightsDto Weights,
    bool EnableTagOverride,
    // Left out of /v1/agent/services, as Consul does: there the result's index follows registrations only.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CreateIndex,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ModifyIndex,
    string Datacenter,
    string Namespace);
