using Microsoft.Extensions.Logging;

namespace Mesh.Registry.Tests.Common;

/// <summary>Logs into the test's output like <see cref="TestOutputLogger{T}"/> and keeps every entry, for tests about what is logged.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly TestOutputLogger<T> _output = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));
        _output.Log(logLevel, eventId, state, exception, formatter);
    }
}

internal sealed record LogEntry(LogLevel Level, int EventId, string Message);
