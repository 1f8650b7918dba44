using System.Security.Cryptography.X509Certificates;
using Mesh.Gateway.Tls;

namespace Mesh.Gateway.Tests.Tls;

public sealed class CertificateSetTests
{
    // In configured order: the first is the default; "dup" comes after "exact" and so loses api.example.com to it.
    private static readonly CertificateSet Set = CertificateSet.Create(
        new[]
        {
            TlsFiles.Create("default", "default.test"),
            TlsFiles.Create("exact", "api.example.com", "WWW.Example.com"),
            TlsFiles.Create("wildcard", "*.example.com"),
            TlsFiles.Create("cn-only"),
            TlsFiles.Create("deep", "*.b.example.com"),
            TlsFiles.Create("dup", "api.example.com", "dup.example.org"),
        }.Select(c => ServedCertificate.From(new PemCertificate(c, [], $"{Subject(c)}.pem"))),
        generation: 1, DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(null, "default")]
    [InlineData("", "default")]
    [InlineData("default.test", "default")]
    [InlineData("api.example.com", "exact")] // exact before wildcard, and before a later certificate with the same name
    [InlineData("API.EXAMPLE.COM", "exact")]
    [InlineData("www.example.com", "exact")] // the SAN was upper case
    [InlineData("shop.example.com", "wildcard")]
    [InlineData("Shop.Example.COM", "wildcard")]
    [InlineData("a.shop.example.com", "default")] // a wildcard stands for one label only
    [InlineData("example.com", "default")] // ... and not for none
    [InlineData(".example.com", "default")]
    [InlineData("x.b.example.com", "deep")]
    [InlineData("dup.example.org", "dup")]
    [InlineData("cn-only", "cn-only")] // no SAN: the common name
    [InlineData("exact", "default")] // a SAN present: the common name is not a name
    [InlineData("unknown.test", "default")]
    public void Select_ServerName_ExactThenWildcardThenDefault(string? serverName, string expected)
    {
        Assert.Equal(expected, Subject(Set.Select(serverName)!));
    }

    [Fact]
    public void Select_NoCertificates_Null()
    {
        var empty = CertificateSet.Create([], generation: 1, DateTimeOffset.UtcNow);

        Assert.Null(empty.Select("api.example.com"));
        Assert.Null(empty.Select(null));
    }

    [Fact]
    public void NamesOf_SanPresent_OnlyDnsSans()
    {
        using var certificate = TlsFiles.Create("ignored", "a.test", "*.b.test");

        Assert.Equal(["a.test", "*.b.test"], ServedCertificate.NamesOf(certificate));
    }

    private static string Subject(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
