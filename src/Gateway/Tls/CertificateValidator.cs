using Mesh.Gateway.Configuration;

namespace Mesh.Gateway.Tls;

/// <summary>The start-up check of the HTTPS settings: every problem, each naming its configuration key.</summary>
internal static class CertificateValidator
{
    public const string HttpsUrlKey = "Mesh:Gateway:HttpsUrl";
    public const string CertificatesKey = "Mesh:Gateway:Certificates";

    public static string CertificateKey(int index) => $"{CertificatesKey}:{index}";

    /// <summary>
    /// Loads each certificate as <see cref="CertificateStore"/> would, e.g.
    /// <c>Mesh:Gateway:Certificates:0:Path '/x.pem' does not exist</c>. The URL's own form is not checked here.
    /// </summary>
    public static IReadOnlyList<string> Validate(string? httpsUrl, IReadOnlyList<GatewayCertificateOptions> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(httpsUrl) && certificates.Count == 0)
            errors.Add($"{HttpsUrlKey} is set but no certificate is configured ({CertificatesKey}:0:Path)");
        for (var i = 0; i < certificates.Count; i++)
        {
            if (certificates[i] is null)
            {
                errors.Add($"{CertificateKey(i)} is empty");
                continue;
            }
            if (PemCertificateLoader.TryLoad(certificates[i], out var pem, out var fileErrors)) pem.Dispose();
            else errors.AddRange(fileErrors.Select(e => e.Describe(CertificateKey(i))));
        }
        return errors;
    }
}
