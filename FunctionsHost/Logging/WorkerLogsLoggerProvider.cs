using Microsoft.Extensions.Logging;

namespace FunctionsHost.Logging;

/// <summary>Sends the host's own logs (Kestrel, the WebJobs queue listener) to a worker's log capture.</summary>
public sealed class WorkerLogsLoggerProvider(WorkerLogs logs, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(logs, categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(WorkerLogs logs, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            logs.Add(new WorkerLogEntry(
                DateTimeOffset.UtcNow,
                WorkerLogSource.Host,
                category,
                logLevel,
                eventId.Id == 0 ? null : eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // Some WebJobs lines have no text (Host.Results logs a failed invocation with its exception only).
                formatter(state, exception) ?? "",
                exception?.ToString(),
                null));
        }
    }
}
