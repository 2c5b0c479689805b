using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>Keeps the host's warnings and errors, as sentinels: a test waits for the log line that says a step happened.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public bool Contains(string text) => Messages.Any(m => m.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture.Messages.Enqueue(formatter(state, exception));
            }
        }
    }
}
