using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tls;

/// <summary>
/// The HTTPS listener's certificates: loaded from their PEM files at construction, chosen by SNI on each handshake, and
/// reloaded when the files change. A handshake reads the current <see cref="CertificateSet"/> without a lock; a reload
/// builds a whole new set and swaps it in, or, when any file does not load, logs why and keeps serving the previous one.
/// </summary>
internal sealed partial class CertificateStore : IDisposable
{
    private readonly ImmutableArray<GatewayCertificateOptions> _configured;
    private readonly ILogger<CertificateStore> _logger;
    private readonly CertificateFileWatcher _watcher;
    private readonly CancellationTokenSource _stopping = new();
    private CertificateSet _current;

    /// <summary>Loads every certificate, throwing when one does not load (run <see cref="CertificateValidator.Validate"/> first for the reasons), then watches the files.</summary>
    public CertificateStore(IReadOnlyList<GatewayCertificateOptions> certificates, ILogger<CertificateStore> logger, CertificateReloadTiming? timing = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(logger);
        // A copy: the options objects stay mutable, and the store must reload what it was started with.
        _configured = [.. certificates.Select(c => new GatewayCertificateOptions { Path = c.Path, KeyPath = c.KeyPath })];
        _logger = logger;
        var files = _configured.SelectMany(c => new[] { c.Path, c.KeyPath }).Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!);
        _watcher = new CertificateFileWatcher(files, timing ?? CertificateReloadTiming.Default, logger);
        var (set, errors) = Load(generation: 1);
        if (set is null)
        {
            _watcher.Dispose();
            throw new InvalidOperationException($"The gateway's TLS certificates do not load: {string.Join("; ", errors.Select(e => e.Describe()))}");
        }
        _current = set;
        Loaded(set);
        _ = Task.Run(() => WatchAsync(_stopping.Token));
    }

    /// <summary>The certificates served now.</summary>
    public CertificateSet Current => Volatile.Read(ref _current);

    /// <summary>1 after the load at start, one more after each reload that changed what is served.</summary>
    public long Generation => Current.Generation;

    public DateTimeOffset LoadedAt => Current.LoadedAt;

    /// <summary>The certificate for the SNI <paramref name="serverName"/>: exact name, else wildcard, else the first configured.</summary>
    public X509Certificate2? Select(string? serverName) => Current.Select(serverName);

    /// <summary>As <see cref="Select"/>, with the chain built once at load; what the handshake uses.</summary>
    public SslStreamCertificateContext? SelectContext(string? serverName) => Current.Find(serverName)?.Context;

    public void Dispose()
    {
        // The certificates are not disposed: a handshake in flight may still hold them; the GC frees them after it.
        _stopping.Cancel();
        _watcher.Dispose();
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await _watcher.WaitForChangeAsync(ct).ConfigureAwait(false);
                Reload();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Reload()
    {
        var previous = Current;
        try
        {
            var (set, errors) = Load(previous.Generation + 1, previous);
            if (set is null)
            {
                foreach (var error in errors) Log.ReloadFailed(_logger, previous.Generation, $"{error.Key}:{error.Error.Setting}", error.Error.File, error.Error.Problem);
            }
            else if (ReferenceEquals(set, previous))
            {
                Log.Unchanged(_logger, previous.Generation);
            }
            else
            {
                Volatile.Write(ref _current, set);
                Loaded(set);
            }
        }
        catch (Exception ex)
        {
            // A bug here must not end the watching: the next change tries again.
            Log.ReloadCrashed(_logger, ex, previous.Generation);
        }
    }

    /// <summary>A new set, <paramref name="previous"/> itself when the files hold the same certificates, or every problem.</summary>
    private (CertificateSet? Set, IReadOnlyList<KeyedError> Errors) Load(long generation, CertificateSet? previous = null)
    {
        var pems = new List<PemCertificate>();
        var errors = new List<KeyedError>();
        for (var i = 0; i < _configured.Length; i++)
        {
            if (PemCertificateLoader.TryLoad(_configured[i], out var pem, out var fileErrors)) pems.Add(pem);
            else errors.AddRange(fileErrors.Select(e => new KeyedError(CertificateValidator.CertificateKey(i), e)));
        }
        if (errors.Count > 0 || (previous is not null && previous.Certificates.Select(c => c.Identity).SequenceEqual(pems.Select(p => p.Identity))))
        {
            foreach (var pem in pems) pem.Dispose();
            return (errors.Count > 0 ? null : previous, errors);
        }

        var served = new List<ServedCertificate>();
        for (var i = 0; i < pems.Count; i++)
        {
            try
            {
                served.Add(ServedCertificate.From(pems[i]));
            }
            catch (CryptographicException ex)
            {
                foreach (var pem in pems) pem.Dispose();
                return (null, [new KeyedError(CertificateValidator.CertificateKey(i), new(CertificateFileError.PathSetting, pems[i].Path,
                    $"holds a certificate TLS cannot serve: {ex.Message.TrimEnd('.')}"))]);
            }
        }
        return (CertificateSet.Create(served, generation, DateTimeOffset.UtcNow), []);
    }

    private void Loaded(CertificateSet set)
    {
        Log.Loaded(_logger, set.Certificates.Length, set.Generation, string.Join("; ", set.Certificates));
        foreach (var expired in set.Certificates.Where(c => c.Certificate.NotAfter < DateTime.Now)) Log.Expired(_logger, expired.ToString());
    }

    private sealed record KeyedError(string Key, CertificateFileError Error)
    {
        public string Describe() => Error.Describe(Key);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information,
            Message = "Serving {Count} TLS certificates, generation {Generation} (the first is the default): {Certificates}")]
        public static partial void Loaded(ILogger logger, int count, long generation, string certificates);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Error,
            Message = "Reloading the TLS certificates failed; generation {Generation} still serves and the next change of the files is tried. {Key} '{Path}' {Problem}")]
        public static partial void ReloadFailed(ILogger logger, long generation, string key, string path, string problem);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Debug,
            Message = "The TLS certificate files were touched but hold the same certificates; generation {Generation} still serves")]
        public static partial void Unchanged(ILogger logger, long generation);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Warning,
            Message = "TLS certificate {Certificate} has expired; it is served until its files are replaced")]
        public static partial void Expired(ILogger logger, string certificate);

        [LoggerMessage(EventId = 5107, Level = LogLevel.Error,
            Message = "Reloading the TLS certificates crashed; generation {Generation} still serves and the next change of the files is tried")]
        public static partial void ReloadCrashed(ILogger logger, Exception exception, long generation);
    }
}
