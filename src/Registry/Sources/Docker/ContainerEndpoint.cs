namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Where other hosts reach a container's service. <see cref="Unroutable"/> says why there is no usable port (Port is
/// then 0 and Address is only informative): the instance is recorded, not routed.
/// </summary>
internal sealed record ContainerEndpoint(string Address, int Port, string? Unroutable)
{
    public bool IsRoutable => Unroutable is null;
}
