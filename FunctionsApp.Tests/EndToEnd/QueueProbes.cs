using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>Small reads and writes on test queues, in the shapes the end-to-end tests assert on.</summary>
public static class QueueProbes
{
    /// <summary>Sends <paramref name="text"/> as is (no encoding), creating the queue; returns the message id.</summary>
    public static async Task<string> SendAsync(QueueServiceClient queues, string queueName, string text)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var queue = queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync();
        var receipt = await queue.SendMessageAsync(text);
        return receipt.Value.MessageId;
    }

    /// <summary>The visible messages of a queue (up to 32), without taking them; empty if it does not exist.</summary>
    public static async Task<IReadOnlyList<PeekedMessage>> PeekAsync(QueueServiceClient queues, string queueName)
    {
        ArgumentNullException.ThrowIfNull(queues);
        try
        {
            var peeked = await queues.GetQueueClient(queueName).PeekMessagesAsync(maxMessages: 32);
            return peeked.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
    }

    /// <summary>All messages in a queue, visible or not; 0 if it does not exist.</summary>
    public static async Task<int> CountAsync(QueueServiceClient queues, string queueName)
    {
        ArgumentNullException.ThrowIfNull(queues);
        try
        {
            var properties = await queues.GetQueueClient(queueName).GetPropertiesAsync();
            return properties.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    public static string Describe(IReadOnlyList<PeekedMessage> messages) =>
        messages.Count == 0 ? "no messages" : string.Join(" | ", messages.Select(m => m.Body.ToString()));
}
