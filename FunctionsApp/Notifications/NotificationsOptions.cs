using System.ComponentModel.DataAnnotations;
using FunctionsApp.Storage;

namespace FunctionsApp.Notifications;

/// <summary>Where the default sender puts notifications.</summary>
public sealed class NotificationsOptions
{
    public const string SectionName = "Notifications";

    [Required(ErrorMessage = "The setting Notifications:OutboxQueueName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The setting Notifications:OutboxQueueName must be a valid queue name: 3-63 lowercase letters, digits and single hyphens.")]
    public string OutboxQueueName { get; set; } = "notifications";

    /// <summary>Where the keys of sent notifications are remembered, to suppress duplicates.</summary>
    [Required(ErrorMessage = "The setting Notifications:SentKeysContainerName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The setting Notifications:SentKeysContainerName must be a valid container name: 3-63 lowercase letters, digits and single hyphens.")]
    public string SentKeysContainerName { get; set; } = "notification-keys";
}
