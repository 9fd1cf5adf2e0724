using Azure;
using Azure.Storage.Queues;

namespace FunctionsApp.Testing;

/// <summary>Small reads and writes on test queues, in the shapes the end-to-end tests assert on.</summary>
public static class QueueProbes
{
    /// <summary>How long a read hides the messages it has seen, so the next batch brings new ones.</summary>
    private static readonly TimeSpan ReadHold = TimeSpan.FromSeconds(30);

    /// <summary>Sends <paramref name="text"/> as is (no encoding), creating the queue; returns the message id.</summary>
    public static async Task<string> SendAsync(QueueServiceClient queues, string queueName, string text)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var queue = queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync();
        var receipt = await queue.SendMessageAsync(text);
        return receipt.Value.MessageId;
    }

    /// <summary>
    /// The text of every visible message of a queue, however many (a peek sees at most 32), left
    /// visible again afterwards; empty if the queue does not exist. Each read counts as a delivery
    /// in the message's dequeue count: for queues no listener reads (dead letters, the outbox).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadAllAsync(QueueServiceClient queues, string queueName)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var queue = queues.GetQueueClient(queueName);
        var read = new List<(string Id, string PopReceipt, string Text)>();
        try
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: ReadHold)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                read.AddRange(batch.Select(m => (m.MessageId, m.PopReceipt, m.Body.ToString())));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
        finally
        {
            foreach (var (id, popReceipt, _) in read)
            {
                try
                {
                    await queue.UpdateMessageAsync(id, popReceipt, visibilityTimeout: TimeSpan.Zero);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Deleted meanwhile (a replay took it): nothing to make visible.
                }
            }
        }

        return read.Select(m => m.Text).ToArray();
    }

    /// <summary>Whether a queue has a visible message; false if it does not exist.</summary>
    public static async Task<bool> AnyVisibleAsync(QueueServiceClient queues, string queueName)
    {
        ArgumentNullException.ThrowIfNull(queues);
        try
        {
            return (await queues.GetQueueClient(queueName).PeekMessagesAsync(maxMessages: 1)).Value.Length > 0;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
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

    public static string Describe(IReadOnlyList<string> messages) =>
        messages.Count == 0 ? "no messages" : string.Join(" | ", messages);
}
