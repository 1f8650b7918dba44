namespace Mesh.Gateway.Tls;

/// <summary>How <see cref="CertificateStore"/> notices that its files changed.</summary>
/// <param name="CheckInterval">How often the files' modification times and sizes are compared, for the changes a watcher misses.</param>
/// <param name="Debounce">How long the files must stay quiet after a watcher event before they are read.</param>
/// <param name="UseFileWatcher">Whether to watch the files' directories at all (tests turn it off to prove the periodic check).</param>
internal sealed record CertificateReloadTiming(TimeSpan CheckInterval, TimeSpan Debounce, bool UseFileWatcher = true)
{
    public static CertificateReloadTiming Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250));
}
