namespace Mesh.Gateway.Configuration;

/// <summary>
/// One TLS certificate of the gateway's HTTPS listener, bound from <c>Mesh:Gateway:Certificates:&lt;n&gt;</c>. The first
/// configured certificate is also the default: it answers handshakes without SNI or for a name no certificate holds.
/// </summary>
public sealed class GatewayCertificateOptions
{
    /// <summary>A PEM file: the certificate first, then any intermediates of its chain (and its key, when <see cref="KeyPath"/> is unset).</summary>
    public string Path { get; set; } = "";

    /// <summary>A PEM file with the certificate's unencrypted private key; unset: the key is in <see cref="Path"/>.</summary>
    public string? KeyPath { get; set; }
}
