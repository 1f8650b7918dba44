namespace Mesh.Nginx.Model;

/// <summary>A passing instance as nginx addresses it: <see cref="Endpoint"/> is <c>address:port</c> (IPv6 in brackets).</summary>
public sealed record NginxEndpoint(string InstanceId, string Address, int Port)
{
    public string Endpoint => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
