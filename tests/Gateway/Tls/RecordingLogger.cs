using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tests.Tls;

/// <summary>Keeps every entry logged, for tests about what is logged.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public bool Has(int eventId, string containing) => Entries.Any(e => e.EventId == eventId && e.Message.Contains(containing, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));
    }

    public string Dump() => string.Concat(Entries.Select(e => $"\n  {e.Level} {e.EventId}: {e.Message}"));
}

internal sealed record LogEntry(LogLevel Level, int EventId, string Message);
