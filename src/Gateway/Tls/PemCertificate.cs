using System.Security.Cryptography.X509Certificates;

namespace Mesh.Gateway.Tls;

/// <summary>What one pair of PEM files holds: the certificate with its private key, then the intermediates that followed it.</summary>
internal sealed class PemCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates, string path) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2Collection Intermediates { get; } = intermediates;

    /// <summary>The certificate file, as configured.</summary>
    public string Path { get; } = path;

    /// <summary>The thumbprints of the certificate and its chain: equal identities serve the same bytes.</summary>
    public string Identity { get; } = string.Join('/', new[] { certificate }.Concat(intermediates).Select(c => c.Thumbprint));

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var intermediate in Intermediates) intermediate.Dispose();
    }
}
