using System.ComponentModel.DataAnnotations;
using FunctionsApp.Storage;

namespace FunctionsApp.Dispatch;

/// <summary>Settings of the work queue and of where its failed messages go.</summary>
public sealed class DispatchOptions
{
    public const string SectionName = "Dispatch";

    /// <summary>The largest message text accepted; the queue service's own limit is 64 KiB.</summary>
    public const int QueueMessageLimitBytes = 64 * 1024;

    /// <summary>
    /// The work queue, read from the flat app setting <c>WorkItemsQueueName</c> that the queue
    /// trigger also reads, so the two can never disagree.
    /// </summary>
    [Required(ErrorMessage = "The app setting WorkItemsQueueName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The app setting WorkItemsQueueName must be a valid queue name: 3-63 lowercase letters, digits and single hyphens.")]
    public string WorkItemsQueueName { get; set; } = "work-items";

    /// <summary>Where permanently failed messages are parked; by default the platform's own poison queue.</summary>
    [Required(ErrorMessage = "The setting Dispatch:DeadLetterQueueName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The setting Dispatch:DeadLetterQueueName must be a valid queue name: 3-63 lowercase letters, digits and single hyphens.")]
    public string DeadLetterQueueName { get; set; } = "";

    /// <summary>
    /// The attempt on which the platform gives up on a message; read from host.json
    /// (<c>extensions:queues:maxDequeueCount</c>), not set here.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "host.json extensions:queues:maxDequeueCount must be between 1 and 1000.")]
    public int MaxDequeueCount { get; set; } = HostJson.DefaultMaxDequeueCount;

    /// <summary>Where bodies too large to fit in their dead-letter envelope are kept.</summary>
    [Required(ErrorMessage = "The setting Dispatch:DeadLetterContainerName is required.")]
    [RegularExpression(StorageNames.QueueOrContainerPattern,
        ErrorMessage = "The setting Dispatch:DeadLetterContainerName must be a valid container name: 3-63 lowercase letters, digits and single hyphens.")]
    public string DeadLetterContainerName { get; set; } = "dead-letters";

    [Range(16, QueueMessageLimitBytes, ErrorMessage = "The setting Dispatch:MaxMessageBytes must be between 16 and 65536.")]
    public int MaxMessageBytes { get; set; } = QueueMessageLimitBytes;
}
