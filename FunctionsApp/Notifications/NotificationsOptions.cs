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
}
