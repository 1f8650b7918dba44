using Mesh.Gateway.Configuration;
using Mesh.Gateway.Tls;

namespace Mesh.Gateway.Tests.Tls;

public sealed class CertificateValidatorTests : IDisposable
{
    private readonly TlsFiles _files = new();

    [Fact]
    public void Validate_HttpsUrlWithoutCertificates_SaysSo()
    {
        Assert.Equal(
            ["Mesh:Gateway:HttpsUrl is set but no certificate is configured (Mesh:Gateway:Certificates:0:Path)"],
            CertificateValidator.Validate("https://127.0.0.1:8443", []));
    }

    [Fact]
    public void Validate_NoHttpsUrlNoCertificates_Valid()
    {
        Assert.Empty(CertificateValidator.Validate(null, []));
    }

    [Fact]
    public void Validate_EcdsaOrRsaKeyInCertificateFileOrBeside_Valid()
    {
        var combined = _files.Write("combined", TlsFiles.Create("a", "a.test"));
        var separate = _files.Write("separate", TlsFiles.Create("b", "b.test"), separateKey: true);
        var rsa = _files.Write("rsa", TlsFiles.CreateRsa("c", "c.test"), separateKey: true);

        Assert.Empty(CertificateValidator.Validate("https://127.0.0.1:8443", [combined, separate, rsa]));
    }

    [Fact]
    public void Validate_EveryBrokenCertificate_EachProblemNamesItsKey()
    {
        var good = _files.Write("good", TlsFiles.Create("good", "good.test"));
        var other = TlsFiles.Create("other", "other.test");
        var mismatched = _files.Write("mismatched", TlsFiles.Create("mismatched", "m.test"), separateKey: true);
        File.WriteAllText(mismatched.KeyPath!, TlsFiles.KeyPem(other));
        var keyless = new GatewayCertificateOptions { Path = _files.PathOf("keyless.pem") };
        File.WriteAllText(keyless.Path, TlsFiles.CertificatePem(other));
        var garbage = new GatewayCertificateOptions { Path = _files.PathOf("garbage.pem") };
        File.WriteAllText(garbage.Path, "not a certificate");
        var clientOnly = _files.Write("client", TlsFiles.CreateClientOnly("client.test"));
        var missing = new GatewayCertificateOptions { Path = _files.PathOf("missing.pem"), KeyPath = _files.PathOf("missing.key") };

        var errors = CertificateValidator.Validate("https://127.0.0.1:8443",
            [good, mismatched, keyless, garbage, clientOnly, missing, new GatewayCertificateOptions()]);

        Assert.Equal(
            [
                $"Mesh:Gateway:Certificates:1:KeyPath '{mismatched.KeyPath}' holds a key that does not match the certificate in '{mismatched.Path}'",
                $"Mesh:Gateway:Certificates:2:Path '{keyless.Path}' holds no unencrypted PEM ECDSA private key; set KeyPath to the key's file",
                $"Mesh:Gateway:Certificates:3:Path '{garbage.Path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                $"Mesh:Gateway:Certificates:4:Path '{clientOnly.Path}' holds a certificate that is not for servers: its extended key usage lacks serverAuth",
                $"Mesh:Gateway:Certificates:5:Path '{missing.Path}' does not exist",
                $"Mesh:Gateway:Certificates:5:KeyPath '{missing.KeyPath}' does not exist",
                "Mesh:Gateway:Certificates:6:Path is required",
            ],
            errors);
    }

    public void Dispose() => _files.Dispose();
}
