namespace Mesh.Host.Api.Consul.Dto;

/// <summary>Consul Connect's proxy settings; Mesh has no Connect, so this is always the empty value Consul shows.</summary>
internal sealed record ServiceProxyDto(
    string DestinationServiceName,
    string DestinationServiceID,
    string LocalServiceAddress,
    int LocalServicePort,
    object? Config,
    object? Upstreams)
{
    public static readonly ServiceProxyDto None = new("", "", "", 0, null, null);
}
