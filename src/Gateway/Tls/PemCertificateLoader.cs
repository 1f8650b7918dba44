using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Gateway.Configuration;

namespace Mesh.Gateway.Tls;

/// <summary>
/// Reads one configured certificate from its PEM files, telling which file is wrong and how. The first certificate in
/// <c>Path</c> is the server's; those after it are its chain. The key (RSA or ECDSA, unencrypted) comes from <c>KeyPath</c>,
/// else from <c>Path</c>. On Linux the result serves TLS as it is: no PKCS#12 round trip is needed.
/// </summary>
internal static class PemCertificateLoader
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Loads the certificate, or tells why not: both files' problems when they cannot be read, else the first problem found.</summary>
    public static bool TryLoad(GatewayCertificateOptions options, [NotNullWhen(true)] out PemCertificate? certificate, out IReadOnlyList<CertificateFileError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        certificate = null;
        string? keyText = null;
        var unreadable = new[]
        {
            Read(options.Path, CertificateFileError.PathSetting, out var certificateText),
            string.IsNullOrWhiteSpace(options.KeyPath) ? null : Read(options.KeyPath, CertificateFileError.KeyPathSetting, out keyText),
        }.OfType<CertificateFileError>().ToArray();
        errors = unreadable;
        if (unreadable.Length > 0) return false;
        if (Parse(options, certificateText!, keyText, out certificate) is { } error)
        {
            errors = [error];
            return false;
        }
        return certificate is not null;
    }

    private static CertificateFileError? Parse(GatewayCertificateOptions options, string certificateText, string? keyText, out PemCertificate? certificate)
    {
        certificate = null;
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificateText);
        }
        catch (CryptographicException ex)
        {
            return new(CertificateFileError.PathSetting, options.Path, $"holds a certificate that is not valid PEM: {ex.Message.TrimEnd('.')}");
        }
        if (chain.Count == 0)
            return new(CertificateFileError.PathSetting, options.Path, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");

        var leaf = chain[0];
        chain.RemoveAt(0);
        X509Certificate2? withKey = null;
        var error = ServerAuthError(leaf, options.Path) ?? WithKey(leaf, options, keyText ?? certificateText, out withKey);
        leaf.Dispose();
        if (error is not null || withKey is null)
        {
            foreach (var intermediate in chain) intermediate.Dispose();
            return error;
        }
        certificate = new PemCertificate(withKey, chain, options.Path);
        return null;
    }

    private static CertificateFileError? Read(string? path, string setting, out string? text)
    {
        text = null;
        if (string.IsNullOrWhiteSpace(path)) return new(setting, "", "is required");
        if (!File.Exists(path)) return new(setting, path, "does not exist");
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new(setting, path, $"cannot be read: {ex.Message.TrimEnd('.')}");
        }
    }

    private static CertificateFileError? ServerAuthError(X509Certificate2 leaf, string path)
    {
        // Kestrel refuses such a certificate on the options path and clients refuse it anyway: say so at load, not per handshake.
        var usage = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is null || usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuthOid)) return null;
        return new(CertificateFileError.PathSetting, path, "holds a certificate that is not for servers: its extended key usage lacks serverAuth");
    }

    private static CertificateFileError? WithKey(X509Certificate2 leaf, GatewayCertificateOptions options, string keyText, out X509Certificate2? withKey)
    {
        withKey = null;
        var (setting, file) = string.IsNullOrWhiteSpace(options.KeyPath)
            ? (CertificateFileError.PathSetting, options.Path)
            : (CertificateFileError.KeyPathSetting, options.KeyPath);
        using AsymmetricAlgorithm? key = leaf.GetKeyAlgorithm() switch
        {
            RsaOid => RSA.Create(),
            EcPublicKeyOid => ECDsa.Create(),
            _ => null,
        };
        if (key is null)
            return new(CertificateFileError.PathSetting, options.Path, $"holds a certificate whose key algorithm {leaf.GetKeyAlgorithm()} is not supported (RSA and ECDSA are)");
        var algorithm = key is RSA ? "RSA" : "ECDSA";
        try
        {
            key.ImportFromPem(keyText);
        }
        catch (ArgumentException)
        {
            var hint = setting == CertificateFileError.PathSetting ? "; set KeyPath to the key's file" : "";
            return new(setting, file, $"holds no unencrypted PEM {algorithm} private key{hint}");
        }
        catch (CryptographicException ex)
        {
            return new(setting, file, $"holds a {algorithm} private key that cannot be read: {ex.Message.TrimEnd('.')}");
        }

        try
        {
            withKey = key is RSA rsa ? leaf.CopyWithPrivateKey(rsa) : leaf.CopyWithPrivateKey((ECDsa)key);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            var target = setting == CertificateFileError.PathSetting ? "the certificate" : $"the certificate in '{options.Path}'";
            return new(setting, file, $"holds a key that does not match {target}");
        }
    }
}
