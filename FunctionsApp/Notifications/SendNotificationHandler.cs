using FunctionsApp.Dispatch;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Notifications;

/// <summary>Handles <c>send_notification</c>: fills in defaults and hands the notification to the sender.</summary>
/// <remarks>
/// A key already sent is suppressed, so a redelivered message or a re-enqueued copy with the same
/// key has no second effect. The key is recorded after sending: if recording fails, the message is
/// retried and the notification may go out twice, which a consumer deduplicating by key absorbs;
/// recording first would lose the notification instead.
/// </remarks>
public sealed class SendNotificationHandler(
    INotificationSender sender, ISentNotificationLog sentLog, TimeProvider time, AppMetrics metrics, ILogger<SendNotificationHandler> logger)
    : ICommandHandler<SendNotificationCommand>
{
    public async Task HandleAsync(SendNotificationCommand command, WorkItemContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        // Without a key from the sender, the queue message id still ties every redelivery of one
        // message to one key.
        var key = string.IsNullOrEmpty(command.IdempotencyKey) ? context.MessageId : command.IdempotencyKey;
        if (await sentLog.ContainsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            NotificationsLog.DuplicateSuppressed(logger, key);
            metrics.DuplicateSuppressed();
            return;
        }

        // The notification continues the message's trace, so its delivery can join it too.
        var trace = MessageTraceContext.Onward(context.Trace);
        var notification = new Notification(
            command.UserId ?? throw new ArgumentException("The command has no user id; validate it first.", nameof(command)),
            string.IsNullOrWhiteSpace(command.Message) ? SendNotificationCommand.DefaultMessage : command.Message,
            key,
            time.GetUtcNow())
        {
            Traceparent = trace?.Traceparent,
            Tracestate = trace?.Tracestate,
        };
        await sender.SendAsync(notification, cancellationToken).ConfigureAwait(false);
        await sentLog.AddAsync(key, cancellationToken).ConfigureAwait(false);
        NotificationsLog.NotificationSent(logger, key);
    }
}
