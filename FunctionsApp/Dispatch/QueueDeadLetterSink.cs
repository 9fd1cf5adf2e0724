using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using FunctionsApp.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Dispatch;

/// <summary>
/// Writes dead-letter envelopes as JSON to an Azure Storage queue. A body too large to fit in its
/// envelope (a queue message holds at most 64 KiB) is kept in a blob that the envelope names, so
/// even a message rejected for its size is parked whole.
/// </summary>
public sealed class QueueDeadLetterSink(QueueServiceClient queues, BlobServiceClient blobs, IOptions<DispatchOptions> options) : IDeadLetterSink
{
    private readonly QueueClient queue = queues.GetQueueClient(options.Value.DeadLetterQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(options.Value.DeadLetterContainerName);

    /// <summary>The blob that holds a parked body: named by the message id, unique per queue message.</summary>
    public static string BodyBlobName(string messageId) => messageId + ".txt";

    public async Task SendAsync(DeadLetterEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var json = JsonSerializer.Serialize(envelope, AppJsonContext.Readable.DeadLetterEnvelope);
        if (Encoding.UTF8.GetByteCount(json) > DispatchOptions.QueueMessageLimitBytes && envelope.OriginalBody is not null)
        {
            var blobName = BodyBlobName(envelope.MessageId);
            // A retry after a failed queue write finds the same body already stored.
            await bodies.UploadIfAbsentAsync(blobName, BinaryData.FromString(envelope.OriginalBody),
                new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" }, metadata: null, cancellationToken).ConfigureAwait(false);
            json = JsonSerializer.Serialize(envelope with { OriginalBody = null, OriginalBodyBlob = blobName }, AppJsonContext.Readable.DeadLetterEnvelope);
        }

        await queue.SendCreatingQueueAsync(json, cancellationToken).ConfigureAwait(false);
    }
}
