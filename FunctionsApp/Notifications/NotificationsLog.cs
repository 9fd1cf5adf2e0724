using Microsoft.Extensions.Logging;

namespace FunctionsApp.Notifications;

/// <summary>
/// Notification log events (EventIds 3000-3099). Neither the notification text nor the
/// idempotency key (caller free text) is logged: the key appears as the start of its SHA-256, the
/// name of its blob in the sent-keys container, enough to find that blob and to match two events.
/// </summary>
internal static partial class NotificationsLog
{
    /// <summary>How many hex digits of the key's hash a log line shows (64 bits).</summary>
    public const int KeyHashLength = 16;

    public static void NotificationSent(ILogger logger, string idempotencyKey)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var hash = KeyHash(idempotencyKey);
            Sent(logger, hash);
        }
    }

    public static void DuplicateSuppressed(ILogger logger, string idempotencyKey)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var hash = KeyHash(idempotencyKey);
            Suppressed(logger, hash);
        }
    }

    /// <summary>The start of the key's SHA-256, as the sent-keys blob is named.</summary>
    public static string KeyHash(string idempotencyKey) => BlobSentNotificationLog.BlobName(idempotencyKey)[..KeyHashLength];

    [LoggerMessage(EventId = 3000, EventName = "NotificationSent", Level = LogLevel.Information,
        Message = "Handed notification with key hash {IdempotencyKeyHash} to the sender")]
    private static partial void Sent(ILogger logger, string idempotencyKeyHash);

    [LoggerMessage(EventId = 3001, EventName = "NotificationDuplicateSuppressed", Level = LogLevel.Information,
        Message = "Notification with key hash {IdempotencyKeyHash} was sent before; this delivery sends nothing")]
    private static partial void Suppressed(ILogger logger, string idempotencyKeyHash);
}
