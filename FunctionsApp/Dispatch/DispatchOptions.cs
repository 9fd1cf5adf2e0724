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
    /// The name the app uses when <c>WorkItemsQueueName</c> is unset. The queue trigger has no such
    /// fallback: its <c>%WorkItemsQueueName%</c> must resolve, or the host cannot index the queue
    /// function, so the setting is required and the sample and the template set it to this name.
    /// </summary>
    public const string FallbackWorkItemsQueueName = "work-items";

    /// <summary>
    /// The work queue, read only from the flat app setting <c>WorkItemsQueueName</c> that the queue
    /// trigger also reads, so the two can never disagree.
    /// </summary>
    [StorageName("WorkItemsQueueName", "queue")]
    public string WorkItemsQueueName { get; set; } = FallbackWorkItemsQueueName;

    /// <summary>Where permanently failed messages are parked; by default the platform's own poison queue.</summary>
    [StorageName("Dispatch:DeadLetterQueueName", "queue")]
    public string DeadLetterQueueName { get; set; } = "";

    /// <summary>
    /// The attempt on which the platform gives up on a message; read from host.json
    /// (<c>extensions:queues:maxDequeueCount</c>), not set here.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "host.json extensions:queues:maxDequeueCount must be between 1 and 1000.")]
    public int MaxDequeueCount { get; set; } = HostJson.DefaultMaxDequeueCount;

    /// <summary>Where bodies too large to fit in their dead-letter envelope are kept.</summary>
    [StorageName("Dispatch:DeadLetterContainerName", "container")]
    public string DeadLetterContainerName { get; set; } = "dead-letters";

    /// <summary>
    /// How long a dead-letter envelope lives in its queue, in seconds; -1 (the default): until someone
    /// replays or removes it. A parked message is the only record of a failure.
    /// </summary>
    [TimeToLive("Dispatch:DeadLetterTimeToLiveSeconds")]
    public int DeadLetterTimeToLiveSeconds { get; set; } = TimeToLiveAttribute.Never;

    [Range(16, QueueMessageLimitBytes, ErrorMessage = "The setting Dispatch:MaxMessageBytes must be between 16 and 65536.")]
    public int MaxMessageBytes { get; set; } = QueueMessageLimitBytes;
}
