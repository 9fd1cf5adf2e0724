using FunctionsApp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Notifications;

/// <summary>
/// Notification log events (EventIds 3000-3099). The notification text is never logged; the
/// idempotency key, which the caller chooses, only escaped and bounded (<see cref="CallerText"/>).
/// </summary>
internal static partial class NotificationsLog
{
    public static void NotificationSent(ILogger logger, string idempotencyKey)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var key = CallerText.Escape(idempotencyKey);
            Sent(logger, key);
        }
    }

    public static void DuplicateSuppressed(ILogger logger, string idempotencyKey)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var key = CallerText.Escape(idempotencyKey);
            Suppressed(logger, key);
        }
    }

    [LoggerMessage(EventId = 3000, EventName = "NotificationSent", Level = LogLevel.Information,
        Message = "Handed notification {IdempotencyKey} to the sender")]
    private static partial void Sent(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 3001, EventName = "NotificationDuplicateSuppressed", Level = LogLevel.Information,
        Message = "Notification {IdempotencyKey} was sent before; this delivery sends nothing")]
    private static partial void Suppressed(ILogger logger, string idempotencyKey);
}
