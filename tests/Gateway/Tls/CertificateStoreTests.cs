using Mesh.Gateway.Configuration;
using Mesh.Gateway.Tls;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Tls;

public sealed class CertificateStoreTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    // The watcher alone: a check interval no test waits for.
    private static readonly CertificateReloadTiming WatcherOnly = new(TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(50));

    private readonly TlsFiles _files = new();
    private readonly RecordingLogger<CertificateStore> _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Constructor_Certificates_LoadedAsGenerationOne()
    {
        var first = TlsFiles.Create("first", "first.test");
        using var store = new CertificateStore(
            [_files.Write("first", first), _files.Write("second", TlsFiles.Create("second", "*.second.test"), separateKey: true)], _log, WatcherOnly);

        Assert.Equal(1, store.Generation);
        Assert.Equal(first.Thumbprint, store.Select("unknown.test")!.Thumbprint);
        Assert.True(store.Select("x.second.test")!.HasPrivateKey);
        Assert.Contains(_log.Entries, e => e.EventId == 5101 && e.Message.Contains("Serving 2 TLS certificates, generation 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_FileMissing_ThrowsNamingTheKey()
    {
        var missing = new GatewayCertificateOptions { Path = _files.PathOf("missing.pem") };

        var ex = Assert.Throws<InvalidOperationException>(() => new CertificateStore([missing], _log, WatcherOnly));

        Assert.Contains($"Mesh:Gateway:Certificates:0:Path '{missing.Path}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_FileRenamedOverCertificate_WatcherServesTheNewOne()
    {
        var options = _files.Write("site", TlsFiles.Create("old", "site.test"));
        using var store = new CertificateStore([options], _log, WatcherOnly);
        var replacement = TlsFiles.Create("new", "site.test");

        TlsFiles.Replace(options.Path, TlsFiles.CertificatePem(replacement) + TlsFiles.KeyPem(replacement));

        await Poll.UntilAsync(() => Task.FromResult(store.Generation == 2), "the watcher's reload", Limit, Ct, _log.Dump);
        Assert.Equal(replacement.Thumbprint, store.Select("site.test")!.Thumbprint);
    }

    [Fact]
    public async Task Reload_NoWatcher_PeriodicCheckServesTheNewOne()
    {
        var options = _files.Write("site", TlsFiles.Create("old", "site.test"), separateKey: true);
        using var store = new CertificateStore([options], _log, new CertificateReloadTiming(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(20), UseFileWatcher: false));
        var replacement = TlsFiles.Create("new", "site.test");

        // Key first, then certificate: a check between the two finds a mismatch, logs it and loads the pair on the next check.
        TlsFiles.Replace(options.KeyPath!, TlsFiles.KeyPem(replacement));
        TlsFiles.Replace(options.Path, TlsFiles.CertificatePem(replacement));

        await Poll.UntilAsync(() => Task.FromResult(store.Select("site.test")!.Thumbprint == replacement.Thumbprint), "the checked reload", Limit, Ct, _log.Dump);
    }

    [Fact]
    public async Task Reload_GarbageWritten_KeepsServingAndLogsThePathThenRetriesOnTheNextChange()
    {
        var old = TlsFiles.Create("old", "site.test");
        var options = _files.Write("site", old);
        using var store = new CertificateStore([options], _log, WatcherOnly);

        File.WriteAllText(options.Path, "-----BEGIN CERTIFICATE-----\nhalf");

        await Poll.UntilAsync(() => Task.FromResult(_log.Has(5102, $"'{options.Path}'")), "the failed reload's error", Limit, Ct, _log.Dump);
        Assert.Equal(old.Thumbprint, store.Select("site.test")!.Thumbprint);
        Assert.Equal(1, store.Generation);
        Assert.Contains(_log.Entries, e => e.EventId == 5102 && e.Message.Contains("generation 1 still serves", StringComparison.Ordinal)
            && e.Message.Contains($"Mesh:Gateway:Certificates:0:Path '{options.Path}' holds no PEM certificate", StringComparison.Ordinal));

        var replacement = TlsFiles.Create("new", "site.test");
        TlsFiles.Replace(options.Path, TlsFiles.CertificatePem(replacement) + TlsFiles.KeyPem(replacement));

        await Poll.UntilAsync(() => Task.FromResult(store.Generation == 2), "the reload after the fix", Limit, Ct, _log.Dump);
        Assert.Equal(replacement.Thumbprint, store.Select("site.test")!.Thumbprint);
    }

    [Fact]
    public async Task Reload_SameCertificatesRewritten_GenerationUnchanged()
    {
        var options = _files.Write("site", TlsFiles.Create("old", "site.test"));
        using var store = new CertificateStore([options], _log, WatcherOnly);

        TlsFiles.Replace(options.Path, File.ReadAllText(options.Path));

        await Poll.UntilAsync(() => Task.FromResult(_log.Has(5103, "generation 1 still serves")), "the unchanged reload", Limit, Ct, _log.Dump);
        Assert.Equal(1, store.Generation);
    }

    public void Dispose() => _files.Dispose();
}
