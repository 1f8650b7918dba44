namespace Mesh.Host.Api.Consul.Dto;

/// <summary>Consul Connect settings of a service; always "not native, no proxy" in Mesh.</summary>
internal sealed record ServiceConnectDto(bool Native, object? Proxy)
{
    public static readonly ServiceConnectDto None = new(false, null);
}
