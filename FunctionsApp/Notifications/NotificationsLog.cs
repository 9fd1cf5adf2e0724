using Microsoft.Extensions.Logging;

namespace FunctionsApp.Notifications;

/// <summary>Notification log events (EventIds 3000-3099). The notification text is never logged.</summary>
internal static partial class NotificationsLog
{
    [LoggerMessage(EventId = 3000, EventName = "NotificationSent", Level = LogLevel.Information,
        Message = "Handed notification {IdempotencyKey} to the sender")]
    public static partial void NotificationSent(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 3001, EventName = "NotificationDuplicateSuppressed", Level = LogLevel.Information,
        Message = "Notification {IdempotencyKey} was sent before; this delivery sends nothing")]
    public static partial void DuplicateSuppressed(ILogger logger, string idempotencyKey);
}
