namespace Mesh.Gateway.Tls;

/// <summary>Why a configured certificate could not be loaded: which of its two settings, the file, and what is wrong with it.</summary>
/// <param name="Setting"><c>Path</c> or <c>KeyPath</c>.</param>
/// <param name="File">The file as configured; empty when the setting is missing.</param>
/// <param name="Problem">A predicate completing "the file ...", e.g. <c>does not exist</c>.</param>
internal sealed record CertificateFileError(string Setting, string File, string Problem)
{
    public const string PathSetting = "Path";
    public const string KeyPathSetting = "KeyPath";

    /// <summary>The problem as one line naming the configuration key, e.g. <c>Mesh:Gateway:Certificates:0:Path '/x.pem' does not exist</c>.</summary>
    public string Describe(string certificateKey) =>
        File.Length == 0 ? $"{certificateKey}:{Setting} {Problem}" : $"{certificateKey}:{Setting} '{File}' {Problem}";

    public override string ToString() => File.Length == 0 ? $"{Setting} {Problem}" : $"'{File}' {Problem}";
}
