using Azure;
using Azure.Storage.Queues;

namespace FunctionsApp.Storage;

/// <summary>Sends to queues that may not exist yet, without an extra round trip per message.</summary>
public static class QueueClientExtensions
{
    /// <summary>
    /// Sends <paramref name="text"/>; creates the queue only when the service says it is missing, so
    /// the common path stays one request.
    /// </summary>
    public static async Task SendCreatingQueueAsync(this QueueClient queue, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            await queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
    }
}
