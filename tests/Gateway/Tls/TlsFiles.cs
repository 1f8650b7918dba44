using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Gateway.Configuration;

namespace Mesh.Gateway.Tests.Tls;

/// <summary>Self-signed test certificates (ECDSA P-256: fast to make) written as PEM into a fresh temporary directory.</summary>
internal sealed class TlsFiles : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mesh-tls-").FullName;

    public string PathOf(string file) => System.IO.Path.Combine(Directory, file);

    /// <summary>A self-signed server certificate named <c>CN=<paramref name="subject"/></c> holding <paramref name="dnsNames"/> as SANs.</summary>
    public static X509Certificate2 Create(string subject, params string[] dnsNames) => Create(subject, dnsNames, ServerAuth);

    public static X509Certificate2 CreateRsa(string subject, string dnsName)
    {
        using var key = RSA.Create(1024); // small: only loaded, never served, and quick to make
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public static X509Certificate2 CreateClientOnly(string subject) => Create(subject, [subject], ClientAuth);

    /// <summary>A leaf for <paramref name="dnsName"/> issued by an intermediate, itself issued by a root.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2 Intermediate) CreateChain(string dnsName)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (from, to) = (DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var rootRequest = new CertificateRequest("CN=Mesh Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(from, to);

        var intermediateRequest = new CertificateRequest("CN=Mesh Test Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediatePublic = intermediateRequest.Create(root, from, to, RandomNumberGenerator.GetBytes(8));
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        var leafRequest = Request(dnsName, [dnsName], leafKey, ServerAuth);
        using var leafPublic = leafRequest.Create(intermediate, from, to, RandomNumberGenerator.GetBytes(8));
        return (leafPublic.CopyWithPrivateKey(leafKey), intermediate);
    }

    /// <summary>Writes <paramref name="certificate"/> (then <paramref name="chain"/>) to <c>name.pem</c>, its key there too or to <c>name.key</c>.</summary>
    public GatewayCertificateOptions Write(string name, X509Certificate2 certificate, bool separateKey = false, params X509Certificate2[] chain)
    {
        var options = new GatewayCertificateOptions { Path = PathOf($"{name}.pem"), KeyPath = separateKey ? PathOf($"{name}.key") : null };
        var pem = CertificatePem(certificate, chain);
        if (separateKey) File.WriteAllText(options.KeyPath!, KeyPem(certificate));
        else pem += KeyPem(certificate);
        File.WriteAllText(options.Path, pem);
        return options;
    }

    /// <summary>Replaces <paramref name="path"/> at once, as deploy tools do: a temporary file beside it, renamed over it.</summary>
    public static void Replace(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public static string CertificatePem(X509Certificate2 certificate, params X509Certificate2[] chain) =>
        string.Concat(new[] { certificate }.Concat(chain).Select(c => c.ExportCertificatePem() + "\n"));

    public static string KeyPem(X509Certificate2 certificate) =>
        ((AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey())!.ExportPkcs8PrivateKeyPem() + "\n";

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static X509Certificate2 Create(string subject, string[] dnsNames, Oid usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Request(subject, dnsNames, key, usage).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static CertificateRequest Request(string subject, string[] dnsNames, ECDsa key, Oid usage)
    {
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        if (dnsNames.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames) san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
        }
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        return request;
    }
}
