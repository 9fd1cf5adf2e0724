using FunctionsApp.Storage;

namespace FunctionsApp.Notifications;

/// <summary>Where the default sender puts notifications.</summary>
public sealed class NotificationsOptions
{
    public const string SectionName = "Notifications";

    [StorageName("Notifications:OutboxQueueName", "queue")]
    public string OutboxQueueName { get; set; } = "notifications";

    /// <summary>
    /// How long a notification waits in the outbox for its delivery service, in seconds; -1 (the
    /// default): until the service takes it, however long it is down.
    /// </summary>
    [TimeToLive("Notifications:OutboxTimeToLiveSeconds")]
    public int OutboxTimeToLiveSeconds { get; set; } = TimeToLiveAttribute.Never;

    /// <summary>Where the keys of sent notifications are remembered, to suppress duplicates.</summary>
    [StorageName("Notifications:SentKeysContainerName", "container")]
    public string SentKeysContainerName { get; set; } = "notification-keys";
}
