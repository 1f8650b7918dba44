namespace Mesh.Host.Api.Consul.Dto;

/// <summary>One element of <c>/v1/catalog/service/{name}</c>: node fields, then the service's with a Service prefix.</summary>
internal sealed record CatalogServiceDto(
    string ID,
    string Node,
    string Address,
    string Datacenter,
    IReadOnlyDictionary<string, string> TaggedAddresses,
    IReadOnlyDictionary<string, string> NodeMeta,
    long CreateIndex,
    long ModifyIndex,
    string ServiceAddress,
    bool ServiceEnableTagOverride,
    string ServiceID,
    string ServiceKind,
    string ServiceName,
    int ServicePort,
    IReadOnlyDictionary<string, string> ServiceMeta,
    IReadOnlyDictionary<string, ServiceAddressDto> ServiceTaggedAddresses,
    IReadOnlyList<string> ServiceTags,
    WeightsDto ServiceWeights,
    ServiceProxyDto ServiceProxy,
    ServiceConnectDto ServiceConnect,
    string Namespace);
