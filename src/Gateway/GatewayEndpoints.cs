namespace Mesh.Gateway;

/// <summary>Where the gateway listens, once it does (ports resolved: a configured port 0 shows the real one).</summary>
public sealed class GatewayEndpoints
{
    private Listeners _current = new(null, null, null);

    /// <summary><c>Mesh:Gateway:Url</c>'s listener (HTTP/1.1).</summary>
    public Uri? Http => Volatile.Read(ref _current).Http;

    /// <summary><c>Mesh:Gateway:H2cUrl</c>'s listener (cleartext HTTP/2).</summary>
    public Uri? H2c => Volatile.Read(ref _current).H2c;

    /// <summary><c>Mesh:Gateway:HttpsUrl</c>'s listener.</summary>
    public Uri? Https => Volatile.Read(ref _current).Https;

    public IReadOnlyList<Uri> Addresses
    {
        get
        {
            var current = Volatile.Read(ref _current);
            return new[] { current.Http, current.H2c, current.Https }.OfType<Uri>().ToArray();
        }
    }

    internal void Set(Uri? http, Uri? h2c, Uri? https) => Volatile.Write(ref _current, new Listeners(http, h2c, https));

    private sealed record Listeners(Uri? Http, Uri? H2c, Uri? Https);
}
