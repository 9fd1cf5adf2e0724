using System.Globalization;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace FunctionsHost.Logging;

/// <summary>One line of what the worker (or the host on its behalf) logged.</summary>
/// <param name="Timestamp">When the host received it.</param>
/// <param name="Source">Where it came from: the worker's RpcLog stream, its stdout or stderr, or the host.</param>
/// <param name="Category">The logger category (empty for stdout and stderr).</param>
/// <param name="Level">The log level; stdout is Information and stderr Error.</param>
/// <param name="EventId">The EventId the worker sent, if any.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception text, if any.</param>
/// <param name="InvocationId">The invocation the log belongs to, if any.</param>
public sealed record WorkerLogEntry(
    DateTimeOffset Timestamp,
    WorkerLogSource Source,
    string Category,
    LogLevel Level,
    string? EventId,
    string Message,
    string? Exception,
    string? InvocationId)
{
    /// <summary>A line the worker sent over its event stream, received at <paramref name="received"/>.</summary>
    public static WorkerLogEntry FromRpcLog(RpcLog log, DateTimeOffset received)
    {
        string? exception = null;
        if (log.Exception is { } ex)
        {
            exception = string.IsNullOrEmpty(ex.StackTrace) ? ex.Message : ex.Message + Environment.NewLine + ex.StackTrace;
        }

        return new WorkerLogEntry(
            received,
            WorkerLogSource.Rpc,
            log.Category,
            (LogLevel)(int)log.Level,
            string.IsNullOrEmpty(log.EventId) ? null : log.EventId,
            log.Message,
            exception,
            string.IsNullOrEmpty(log.InvocationId) ? null : log.InvocationId);
    }

    public override string ToString()
    {
        var time = Timestamp.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var eventId = string.IsNullOrEmpty(EventId) ? "" : $"[{EventId}] ";
        var category = string.IsNullOrEmpty(Category) ? "" : Category + ": ";
        var exception = string.IsNullOrEmpty(Exception) ? "" : Environment.NewLine + "    " + Exception.Replace("\n", "\n    ", StringComparison.Ordinal);
        return $"{time} {Source,-6} {Level,-11} {eventId}{category}{Message}{exception}";
    }
}
