using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FunctionsApp.Testing;

/// <summary>
/// The queues and containers one test gives the app, unique to it, and the app settings that name
/// them (one spelling, as app settings and environment variables have it); deleted afterwards.
/// Integration tests (<see cref="InProcessApp"/>) and end-to-end tests use the same bundle.
/// </summary>
public sealed class AppStorageNames
{
    public string WorkItemsQueue { get; } = Unique("work");

    /// <summary>The queue the WebJobs listener moves a message to after maxDequeueCount failures.</summary>
    public string PoisonQueue => WorkItemsQueue + "-poison";

    /// <summary>The app's dead-letter queue: by default the platform's poison queue, as in production.</summary>
    public string DeadLetterQueue => PoisonQueue;

    public string DeadLetterContainer { get; } = Unique("dead-letters");

    public string SentKeysContainer { get; } = Unique("sent-keys");

    public string ReportsContainer { get; } = Unique("reports");

    public string OutboxQueue { get; } = Unique("outbox");

    /// <summary>A unique, valid queue or container name starting with <paramref name="prefix"/>.</summary>
    public static string Unique(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
    }

    /// <summary>The app settings as the worker reads them from its environment (<c>__</c> for a section).</summary>
    public Dictionary<string, string> AppSettings(string storageConnectionString) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["WorkItemsQueueName"] = WorkItemsQueue,
        ["Dispatch__DeadLetterContainerName"] = DeadLetterContainer,
        ["Notifications__SentKeysContainerName"] = SentKeysContainer,
        ["Reports__ContainerName"] = ReportsContainer,
        ["Notifications__OutboxQueueName"] = OutboxQueue,
    };

    /// <summary>The same settings as configuration keys (<c>:</c> for a section), for an app built in process.</summary>
    public Dictionary<string, string?> ConfigurationValues(string storageConnectionString) =>
        AppSettings(storageConnectionString).ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value);

    /// <summary>
    /// Deletes every queue and container, each on its own: one that fails does not stop the others,
    /// and nothing is thrown, so cleanup never hides the failure of the test it follows (the names
    /// are unique, so a leftover disturbs no other test). Returns what could not be deleted, and why.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteAsync(QueueServiceClient queues, BlobServiceClient blobs)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(blobs);
        var failures = new List<string>();
        foreach (var queue in new[] { WorkItemsQueue, PoisonQueue, OutboxQueue })
        {
            await DeleteOneAsync($"queue {queue}", () => queues.GetQueueClient(queue).DeleteIfExistsAsync(), failures);
        }

        foreach (var container in new[] { ReportsContainer, DeadLetterContainer, SentKeysContainer })
        {
            await DeleteOneAsync($"container {container}", () => blobs.GetBlobContainerClient(container).DeleteIfExistsAsync(), failures);
        }

        return failures;
    }

    private static async Task DeleteOneAsync(string what, Func<Task> delete, List<string> failures)
    {
        try
        {
            await delete();
        }
#pragma warning disable CA1031 // Any failure: cleanup must go on to the next resource and never throw.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failures.Add($"{what}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }
}
