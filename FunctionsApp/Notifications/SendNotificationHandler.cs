using FunctionsApp.Dispatch;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Notifications;

/// <summary>Handles <c>send_notification</c>: fills in defaults and hands the notification to the sender.</summary>
/// <remarks>
/// Keys are scoped per user (<see cref="SentKey"/>): the same key for two users sends both. A key
/// already sent to that user is suppressed, so a redelivered message or a re-enqueued copy with the same
/// key has no second effect. The key is recorded after sending: if recording fails, the message is
/// retried and the notification may go out twice, which a consumer deduplicating by key absorbs;
/// recording first would lose the notification instead.
/// </remarks>
public sealed class SendNotificationHandler(
    INotificationSender sender, ISentNotificationLog sentLog, TimeProvider time, AppMetrics metrics, ILogger<SendNotificationHandler> logger)
    : IActionHandler<SendNotificationAction>
{
    public async Task HandleAsync(SendNotificationAction action, ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(context);
        // Without a key from the sender, the queue message id still ties every redelivery of one
        // message to one key.
        var key = string.IsNullOrEmpty(action.IdempotencyKey) ? context.MessageId : action.IdempotencyKey;
        var sentKey = SentKey(action.UserId, key);
        if (await sentLog.ContainsAsync(sentKey, cancellationToken).ConfigureAwait(false))
        {
            NotificationsLog.DuplicateSuppressed(logger, sentKey);
            metrics.DuplicateSuppressed();
            return;
        }

        // The notification continues the message's trace, so its delivery can join it too.
        var trace = MessageTraceContext.Onward(context.Trace);
        var notification = new Notification(
            action.UserId,
            string.IsNullOrWhiteSpace(action.Message) ? SendNotificationAction.DefaultMessage : action.Message,
            key,
            time.GetUtcNow())
        {
            Traceparent = trace?.Traceparent,
            Tracestate = trace?.Tracestate,
        };
        await sender.SendAsync(notification, cancellationToken).ConfigureAwait(false);
        await sentLog.AddAsync(sentKey, cancellationToken).ConfigureAwait(false);
        NotificationsLog.NotificationSent(logger, sentKey);
    }

    /// <summary>
    /// What the sent log remembers for a key: the key within its user, so one user's key never
    /// suppresses another's notification. The user id's length comes first, so no pair of
    /// (user, key) can be written the same way as another.
    /// </summary>
    public static string SentKey(string userId, string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{userId.Length}:{userId}:{idempotencyKey}");
    }
}
