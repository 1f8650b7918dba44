using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tls;

/// <summary>
/// Tells <see cref="CertificateStore"/> when its files may have changed. A <see cref="FileSystemWatcher"/> on each directory
/// answers within the debounce; a check of the files' stamps every <see cref="CertificateReloadTiming.CheckInterval"/>
/// catches what watchers miss (renames on some filesystems, a directory re-created, an exhausted inotify limit).
/// </summary>
internal sealed partial class CertificateFileWatcher : IDisposable
{
    private const int Named = 1;

    private readonly ImmutableArray<string> _files;
    private readonly FrozenSet<string> _watched;
    private readonly CertificateReloadTiming _timing;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly SemaphoreSlim _events = new(0);
    private int _named;
    private ImmutableArray<FileStamp> _stamps;

    /// <summary>Stamps <paramref name="files"/> now: a change after this call is reported even if the watchers miss it.</summary>
    public CertificateFileWatcher(IEnumerable<string> files, CertificateReloadTiming timing, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(timing);
        ArgumentNullException.ThrowIfNull(logger);
        _files = [.. files.Select(System.IO.Path.GetFullPath).Distinct(StringComparer.Ordinal)];
        _watched = _files.ToFrozenSet(StringComparer.Ordinal);
        _timing = timing;
        _logger = logger;
        _stamps = FileStamp.Of(_files);
        if (!timing.UseFileWatcher) return;
        foreach (var directory in _files.Select(System.IO.Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal))
            Watch(directory);
    }

    /// <summary>
    /// Returns once a watcher named one of the files and the directory stayed quiet for the debounce, or a periodic check
    /// found a file's stamp moved. The files may still be half-written: the caller reads them and, when they do not load,
    /// waits for the next change.
    /// </summary>
    public async Task WaitForChangeAsync(CancellationToken ct)
    {
        while (true)
        {
            if (await _events.WaitAsync(_timing.CheckInterval, ct).ConfigureAwait(false)) await SettleAsync(ct).ConfigureAwait(false);
            var named = Interlocked.Exchange(ref _named, 0) == Named;
            var stamps = FileStamp.Of(_files);
            var moved = !stamps.SequenceEqual(_stamps);
            _stamps = stamps;
            if (named || moved) return;
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers) watcher.Dispose();
    }

    private async Task SettleAsync(CancellationToken ct)
    {
        // A writer that never pauses still gets read once per check interval.
        var started = Stopwatch.GetTimestamp();
        while (await _events.WaitAsync(_timing.Debounce, ct).ConfigureAwait(false) && Stopwatch.GetElapsedTime(started) < _timing.CheckInterval)
        {
        }
    }

    private void Watch(string directory)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnRenamed;
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            Log.CannotWatch(_logger, directory, ex.Message.TrimEnd('.'), _timing.CheckInterval);
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Noticed(_watched.Contains(e.FullPath));

    private void OnRenamed(object sender, RenamedEventArgs e) => Noticed(_watched.Contains(e.FullPath) || _watched.Contains(e.OldFullPath));

    private void OnError(object sender, ErrorEventArgs e)
    {
        Log.WatcherFailed(_logger, ((FileSystemWatcher)sender).Path, e.GetException().Message.TrimEnd('.'), _timing.CheckInterval);
        Noticed(named: true);
    }

    private void Noticed(bool named)
    {
        // Any event in the directory leads to a stamp check (a renamed symbolic link names no file of ours); an event
        // naming one of the files reloads even when its stamp looks the same.
        if (named) Interlocked.Exchange(ref _named, Named);
        _events.Release();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5105, Level = LogLevel.Warning,
            Message = "Cannot watch '{Directory}' for TLS certificate changes: {Reason}. Changes there are found by the check every {Interval} instead")]
        public static partial void CannotWatch(ILogger logger, string directory, string reason, TimeSpan interval);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Warning,
            Message = "The watcher of '{Directory}' failed: {Reason}. Reloading the TLS certificates now; the check every {Interval} goes on")]
        public static partial void WatcherFailed(ILogger logger, string directory, string reason, TimeSpan interval);
    }
}
