using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Bus.Tests.Support;

/// <summary>Logs into the running test's output (Mesh at Debug, MassTransit at Information), so a failing test shows what the bus did.</summary>
internal sealed class TestOutputLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public ILogger CreateLogger(string categoryName) => new Logger(_output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper? output, string category) : ILogger
    {
        private readonly string _name = category[(category.LastIndexOf('.') + 1)..];
        private readonly LogLevel _minimum = category.StartsWith("Mesh.", StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Information;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => output is not null && logLevel >= _minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            try
            {
                output!.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {_name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished; nothing is listening any more
            }
        }
    }
}
