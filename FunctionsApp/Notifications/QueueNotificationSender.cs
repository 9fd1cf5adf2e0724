using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsApp.Json;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Notifications;

/// <summary>
/// The default sender: writes each notification as JSON to an outbox queue, where a delivery
/// service (or a developer looking at Azurite) picks it up.
/// </summary>
public sealed class QueueNotificationSender(QueueServiceClient queues, IOptions<NotificationsOptions> options) : INotificationSender
{
    private readonly QueueClient outbox = queues.GetQueueClient(options.Value.OutboxQueueName);

    private readonly int timeToLiveSeconds = options.Value.OutboxTimeToLiveSeconds;

    // The outbox's consumer is not ours: its JSON escapes HTML-sensitive characters (OutgoingJson).
    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        outbox.SendCreatingQueueAsync(JsonSerializer.Serialize(notification, OutgoingJson.Of(NotificationsJsonContext.Default.Notification)), timeToLiveSeconds, cancellationToken);
}
