using Azure.Storage.Queues;

namespace FunctionsApp.Testing;

/// <summary>Reads queues in assertions without changing them.</summary>
public static class QueueClientTestExtensions
{
    /// <summary>The text of the first message, or null when the queue is empty or does not exist.</summary>
    public static async Task<string?> PeekOrNullAsync(this QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (!(await queue.ExistsAsync()).Value)
        {
            return null;
        }

        var peeked = (await queue.PeekMessagesAsync(maxMessages: 1)).Value;
        return peeked.Length == 0 ? null : peeked[0].MessageText;
    }
}
