using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Gateway.Tls;

/// <summary>
/// One immutable generation of served certificates, indexed by host name for the handshake: an exact name first, then a
/// wildcard (<c>*.example.com</c> stands for exactly one more label), then the first certificate as the default.
/// Names compare case-insensitively; when two certificates hold a name, the one configured first answers for it.
/// </summary>
internal sealed class CertificateSet
{
    private readonly FrozenDictionary<string, ServedCertificate> _exact;
    private readonly FrozenDictionary<string, ServedCertificate>.AlternateLookup<ReadOnlySpan<char>> _wildcardByParent;

    private CertificateSet(
        ImmutableArray<ServedCertificate> certificates, FrozenDictionary<string, ServedCertificate> exact,
        FrozenDictionary<string, ServedCertificate> wildcardByParent, long generation, DateTimeOffset loadedAt)
    {
        Certificates = certificates;
        _exact = exact;
        _wildcardByParent = wildcardByParent.GetAlternateLookup<ReadOnlySpan<char>>();
        Generation = generation;
        LoadedAt = loadedAt;
    }

    /// <summary>The certificates in configured order; the first is the default.</summary>
    public ImmutableArray<ServedCertificate> Certificates { get; }

    public ServedCertificate? Default => Certificates.IsEmpty ? null : Certificates[0];

    /// <summary>1 for the certificates loaded at start, one more for each successful reload.</summary>
    public long Generation { get; }

    public DateTimeOffset LoadedAt { get; }

    public static CertificateSet Create(IEnumerable<ServedCertificate> certificates, long generation, DateTimeOffset loadedAt)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var all = certificates.ToImmutableArray();
        var exact = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        var wildcardByParent = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        foreach (var certificate in all)
        {
            foreach (var name in certificate.Names)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal) && name.Length > 2) wildcardByParent.TryAdd(name[2..], certificate);
                else exact.TryAdd(name, certificate);
            }
        }
        return new CertificateSet(
            all, exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), wildcardByParent.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            generation, loadedAt);
    }

    /// <summary>The certificate for the SNI <paramref name="serverName"/>; null only when the set is empty. Allocates nothing.</summary>
    public ServedCertificate? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Default;
        if (_exact.TryGetValue(serverName, out var certificate)) return certificate;
        var dot = serverName.IndexOf('.');
        if (dot > 0 && _wildcardByParent.TryGetValue(serverName.AsSpan(dot + 1), out certificate)) return certificate;
        return Default;
    }

    public X509Certificate2? Select(string? serverName) => Find(serverName)?.Certificate;
}
