using Microsoft.Extensions.Logging;

namespace FunctionsApp.Dispatch;

/// <summary>The dispatcher's log events (EventIds 1000-1099).</summary>
internal static partial class DispatchLog
{
    private static readonly Func<ILogger, string, long, IDisposable?> MessageScope =
        LoggerMessage.DefineScope<string, long>("MessageId:{MessageId} DequeueCount:{DequeueCount}");

    private static readonly Func<ILogger, string, IDisposable?> ActionScope =
        LoggerMessage.DefineScope<string>("Action:{Action}");

    public static IDisposable? BeginMessageScope(this ILogger logger, ReceivedMessage message) =>
        MessageScope(logger, message.MessageId, message.DequeueCount);

    public static IDisposable? BeginActionScope(this ILogger logger, string action) => ActionScope(logger, action);

    [LoggerMessage(EventId = 1000, EventName = "MessageProcessed", Level = LogLevel.Information,
        Message = "Processed {Action} message {MessageId} on attempt {DequeueCount}")]
    public static partial void MessageProcessed(ILogger logger, string action, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1001, EventName = "MessageDeadLettered", Level = LogLevel.Warning,
        Message = "Message {MessageId} can never succeed ({Reason}: {Description}); moved to dead-letter queue {DeadLetterQueue}")]
    public static partial void MessageDeadLettered(ILogger logger, string messageId, string reason, string description, string deadLetterQueue);

    [LoggerMessage(EventId = 1002, EventName = "MessageFailed", Level = LogLevel.Error,
        Message = "Message {MessageId} failed on attempt {DequeueCount}; the platform will retry it")]
    public static partial void MessageFailed(ILogger logger, Exception exception, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1003, EventName = "RetriesExhausted", Level = LogLevel.Error,
        Message = "Message {MessageId} failed on attempt {DequeueCount}, the last one allowed; moving it to the dead-letter queue")]
    public static partial void RetriesExhausted(ILogger logger, Exception exception, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1004, EventName = "MessageCancelled", Level = LogLevel.Warning,
        Message = "Message {MessageId} was cancelled on attempt {DequeueCount} by the host; it stays in the queue")]
    public static partial void MessageCancelled(ILogger logger, Exception exception, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1005, EventName = "TraceContextIgnored", Level = LogLevel.Debug,
        Message = "The message's trace context was ignored: {Problem}")]
    public static partial void TraceContextIgnored(ILogger logger, string problem);
}
