using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Gateway.Tls;

/// <summary>
/// A certificate ready for handshakes: its TLS context, built once with the chain from its file (so the intermediates are
/// sent and no chain is built per handshake), and the host names it answers for.
/// </summary>
internal sealed class ServedCertificate
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";
    private const string CommonNameOid = "2.5.4.3";

    private ServedCertificate(X509Certificate2 certificate, SslStreamCertificateContext context, ImmutableArray<string> names, string path, string identity)
    {
        Certificate = certificate;
        Context = context;
        Names = names;
        Path = path;
        Identity = identity;
    }

    public X509Certificate2 Certificate { get; }

    public SslStreamCertificateContext Context { get; }

    /// <summary>Its DNS subject alternative names, else its subject's common names; <c>*.</c> names are wildcards.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>The certificate file, as configured.</summary>
    public string Path { get; }

    /// <inheritdoc cref="PemCertificate.Identity"/>
    public string Identity { get; }

    public static ServedCertificate From(PemCertificate pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        // offline: the chain comes from the file; fetching missing intermediates would block a reload on the network.
        var context = SslStreamCertificateContext.Create(pem.Certificate, pem.Intermediates, offline: true);
        return new ServedCertificate(pem.Certificate, context, NamesOf(pem.Certificate), pem.Path, pem.Identity);
    }

    public static ImmutableArray<string> NamesOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = certificate.Extensions
            .Where(e => e.Oid?.Value == SubjectAlternativeNameOid)
            .SelectMany(e => new X509SubjectAlternativeNameExtension(e.RawData, e.Critical).EnumerateDnsNames())
            .ToImmutableArray();
        if (!names.IsEmpty) return names;
        return
        [
            .. certificate.SubjectName.EnumerateRelativeDistinguishedNames()
                .Where(n => !n.HasMultipleElements && n.GetSingleElementType().Value == CommonNameOid)
                .Select(n => n.GetSingleElementValue())
                .OfType<string>(),
        ];
    }

    public override string ToString() =>
        $"'{Path}' for {(Names.IsEmpty ? "no name" : string.Join(", ", Names))} until {Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z";
}
