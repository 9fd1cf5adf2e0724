using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Writes dead-letter envelopes as JSON to an Azure Storage queue, with the time-to-live the settings
/// give (by default they never expire). A body too large to fit in its envelope (a queue message
/// holds at most 64 KiB) is kept in a blob named by the message id and stamped as ours, so even a
/// message rejected for its size is parked whole, and replay can tell our blob from anyone else's.
/// </summary>
public sealed class QueueDeadLetterSink(QueueServiceClient queues, BlobServiceClient blobs, IOptions<DispatchOptions> options) : IDeadLetterSink
{
    /// <summary>
    /// The metadata every body blob carries: the id of the message it belongs to. Replay reads a blob
    /// only when this matches the envelope that names it.
    /// </summary>
    public const string ParkedMessageIdMetadata = "parked_message_id";

    private readonly QueueClient queue = queues.GetQueueClient(options.Value.DeadLetterQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(options.Value.DeadLetterContainerName);
    private readonly int timeToLiveSeconds = options.Value.DeadLetterTimeToLiveSeconds;

    /// <summary>The blob that holds a parked body: named by the message id, unique per queue message.</summary>
    public static string BodyBlobName(string messageId) => messageId + ".txt";

    public async Task SendAsync(DeadLetterEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var json = JsonSerializer.Serialize(envelope, DispatchJsonContext.Envelope.DeadLetterEnvelope);
        if (Encoding.UTF8.GetByteCount(json) > DispatchOptions.QueueMessageLimitBytes && envelope.OriginalBody is not null)
        {
            var blobName = BodyBlobName(envelope.MessageId);
            // A retry after a failed queue write finds the same body already stored.
            await bodies.UploadIfAbsentAsync(blobName, BinaryData.FromString(envelope.OriginalBody),
                new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" },
                new Dictionary<string, string> { [ParkedMessageIdMetadata] = envelope.MessageId },
                cancellationToken).ConfigureAwait(false);
            json = JsonSerializer.Serialize(envelope with { OriginalBody = null, OriginalBodyBlob = blobName }, DispatchJsonContext.Envelope.DeadLetterEnvelope);
        }

        await queue.SendCreatingQueueAsync(json, timeToLiveSeconds, cancellationToken).ConfigureAwait(false);
    }
}
