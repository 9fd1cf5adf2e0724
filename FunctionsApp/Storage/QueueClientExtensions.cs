using Azure;
using Azure.Storage.Queues;

namespace FunctionsApp.Storage;

/// <summary>Sends to queues that may not exist yet, without an extra round trip per message.</summary>
public static class QueueClientExtensions
{
    /// <summary>
    /// Sends <paramref name="text"/> with the time-to-live given (never the service's 7-day default);
    /// creates the queue only when the service says it is missing, so the common path stays one request.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="text">The message text.</param>
    /// <param name="timeToLiveSeconds">-1 for never, else seconds (see <see cref="TimeToLiveAttribute"/>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public static async Task SendCreatingQueueAsync(this QueueClient queue, string text, int timeToLiveSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var timeToLive = TimeToLiveAttribute.ToTimeSpan(timeToLiveSeconds);
        try
        {
            await queue.SendMessageAsync(text, visibilityTimeout: null, timeToLive, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(text, visibilityTimeout: null, timeToLive, cancellationToken).ConfigureAwait(false);
        }
    }
}
