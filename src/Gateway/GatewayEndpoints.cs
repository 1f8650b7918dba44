namespace Mesh.Gateway;

/// <summary>Where the gateway listens, once it does (ports resolved: a configured port 0 shows the real one).</summary>
public sealed class GatewayEndpoints
{
    private Uri[] _addresses = [];

    public IReadOnlyList<Uri> Addresses => Volatile.Read(ref _addresses);

    public Uri? Http => Addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp);

    public Uri? Https => Addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);

    internal void Set(Uri[] addresses) => Volatile.Write(ref _addresses, addresses);
}
