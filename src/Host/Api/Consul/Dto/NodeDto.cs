namespace Mesh.Host.Api.Consul.Dto;

/// <summary>The <c>Node</c> of a <c>/v1/health/service/{name}</c> entry.</summary>
internal sealed record NodeDto(
    string ID,
    string Node,
    string Address,
    string Datacenter,
    IReadOnlyDictionary<string, string> TaggedAddresses,
    IReadOnlyDictionary<string, string> Meta,
    long CreateIndex,
    long ModifyIndex);
