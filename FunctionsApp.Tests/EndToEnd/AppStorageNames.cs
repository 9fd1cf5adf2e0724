using Azure;
using FunctionsApp.Tests.Infrastructure;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>
/// The queues and container one end-to-end test gives the app, unique to it, and the app settings
/// that name them; deleted afterwards.
/// </summary>
public sealed class AppStorageNames
{
    public string WorkItemsQueue { get; } = StorageNamesForTests.Unique("work");

    /// <summary>The queue the WebJobs listener moves a message to after maxDequeueCount failures.</summary>
    public string PoisonQueue => WorkItemsQueue + "-poison";

    /// <summary>The app's dead-letter queue: by default the platform's poison queue, as in production.</summary>
    public string DeadLetterQueue => PoisonQueue;

    public string DeadLetterContainer { get; } = StorageNamesForTests.Unique("dead-letters");

    public string SentKeysContainer { get; } = StorageNamesForTests.Unique("sent-keys");

    public string ReportsContainer { get; } = StorageNamesForTests.Unique("reports");

    public string OutboxQueue { get; } = StorageNamesForTests.Unique("outbox");

    public Dictionary<string, string> AppSettings(string storageConnectionString) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["WorkItemsQueueName"] = WorkItemsQueue,
        ["Dispatch__DeadLetterContainerName"] = DeadLetterContainer,
        ["Notifications__SentKeysContainerName"] = SentKeysContainer,
        ["Reports__ContainerName"] = ReportsContainer,
        ["Notifications__OutboxQueueName"] = OutboxQueue,
    };

    public async Task DeleteAsync(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        try
        {
            foreach (var queue in new[] { WorkItemsQueue, PoisonQueue, OutboxQueue })
            {
                await azurite.Queues.GetQueueClient(queue).DeleteIfExistsAsync();
            }

            foreach (var container in new[] { ReportsContainer, DeadLetterContainer, SentKeysContainer })
            {
                await azurite.Blobs.GetBlobContainerClient(container).DeleteIfExistsAsync();
            }
        }
        catch (RequestFailedException)
        {
            // Cleanup is best effort: the names are unique and Azurite runs in memory.
        }
    }
}
