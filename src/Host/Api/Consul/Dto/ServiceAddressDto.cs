namespace Mesh.Host.Api.Consul.Dto;

/// <summary>One entry of a service's <c>TaggedAddresses</c> (<c>lan_ipv4</c>, <c>wan_ipv4</c>, ...).</summary>
internal sealed record ServiceAddressDto(string Address, int Port);
