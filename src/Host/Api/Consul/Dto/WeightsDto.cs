namespace Mesh.Host.Api.Consul.Dto;

/// <summary>Consul's DNS SRV weights; Mesh does not weigh instances, so every instance has Consul's default.</summary>
internal sealed record WeightsDto(int Passing, int Warning)
{
    public static readonly WeightsDto Default = new(1, 1);
}
