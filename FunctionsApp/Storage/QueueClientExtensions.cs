using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace FunctionsApp.Storage;

/// <summary>
/// Sends to queues that may not exist yet, without an extra round trip per message; hands back
/// messages a receive held.
/// </summary>
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

    /// <summary>
    /// Makes received <paramref name="messages"/> visible again at once rather than when their hold
    /// runs out. It is not cancelled: a message left held would stay hidden until then. One the
    /// service no longer has under this receipt (deleted, or its hold ran out and someone else
    /// received it) needs nothing.
    /// </summary>
    public static Task ReleaseAsync(this QueueClient queue, IEnumerable<QueueMessage> messages, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (message, _) =>
        {
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted or received by someone else meanwhile: nothing to make visible.
            }
        });
    }
}
