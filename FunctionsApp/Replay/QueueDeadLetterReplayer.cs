using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Replay;

/// <summary>
/// Replays the dead-letter queue into the work queue. Each message is sent first and deleted
/// after, so a crash in between leaves a duplicate (which the handlers tolerate), never a loss.
/// </summary>
public sealed class QueueDeadLetterReplayer(
    QueueServiceClient queues, BlobServiceClient blobs, IOptions<DispatchOptions> options, ILogger<QueueDeadLetterReplayer> logger)
    : IDeadLetterReplayer
{
    /// <summary>The reason given to a parked message that has no envelope (a body the platform moved by itself).</summary>
    public const string BareBodyReason = "platform_poison";

    // Long enough to hold a batch while it is replayed; kept messages are released at the end.
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(60);

    private readonly QueueClient deadLetters = queues.GetQueueClient(options.Value.DeadLetterQueueName);
    private readonly QueueClient work = queues.GetQueueClient(options.Value.WorkItemsQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(options.Value.DeadLetterContainerName);

    public async Task<ReplayReport> ReplayAsync(string? reason, int maxMessages, CancellationToken cancellationToken)
    {
        var movedByReason = new Dictionary<string, int>(StringComparer.Ordinal);
        var kept = new Dictionary<string, QueueMessage>(StringComparer.Ordinal);
        if (!(await deadLetters.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return new ReplayReport(0, 0, 0, movedByReason);
        }

        // Only what was parked when the replay began is looked at: a replayed message that fails
        // again is parked anew and waits for the next replay instead of cycling. Seeing a
        // message twice also means every message has been looked at.
        var parkedAtStart = (await deadLetters.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var replayedIds = new HashSet<string>(StringComparer.Ordinal);
        var moved = 0;
        var duplicates = 0;
        try
        {
            while (moved < maxMessages && seen.Count < parkedAtStart)
            {
                var wanted = Math.Min(32, parkedAtStart - seen.Count);
                var batch = (await deadLetters.ReceiveMessagesAsync(wanted, Hold, cancellationToken).ConfigureAwait(false)).Value;
                var fresh = batch.Where(m => seen.Add(m.MessageId)).ToList();
                foreach (var again in batch.Except(fresh))
                {
                    kept[again.MessageId] = again;
                }

                if (fresh.Count == 0)
                {
                    break;
                }

                foreach (var message in fresh)
                {
                    var (parkedReason, body, bodyBlob, parkedId) = Read(message.MessageText);
                    if ((reason is not null && reason != parkedReason) || moved >= maxMessages)
                    {
                        kept[message.MessageId] = message;
                        continue;
                    }

                    // A message parked twice (the worker stopped between parking it and the queue
                    // deleting it) goes back once: its copies share the original message id.
                    if (parkedId is not null && !replayedIds.Add(parkedId))
                    {
                        await deadLetters.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                        duplicates++;
                        continue;
                    }

                    var blob = bodyBlob is null ? null : bodies.GetBlobClient(bodyBlob);
                    if (blob is not null)
                    {
                        body = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
                    }

                    await work.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
                    await deadLetters.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                    if (blob is not null)
                    {
                        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    movedByReason[parkedReason] = movedByReason.GetValueOrDefault(parkedReason) + 1;
                    moved++;
                }
            }
        }
        finally
        {
            // Make what stays visible again at once rather than after the hold.
            foreach (var message in kept.Values)
            {
                try
                {
                    await deadLetters.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None)
                        .ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Its hold ran out and someone else received it: it is visible to them already.
                }
            }
        }

        ReplayLog.Replayed(logger, moved, kept.Count, reason ?? "(any)");
        return new ReplayReport(moved, kept.Count, duplicates, movedByReason);
    }

    private static (string Reason, string? Body, string? BodyBlob, string? MessageId) Read(string parked)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(parked, AppJsonContext.Readable.DeadLetterEnvelope);
            if (envelope is { Reason: not null } && (envelope.OriginalBody is not null || envelope.OriginalBodyBlob is not null))
            {
                return (envelope.Reason, envelope.OriginalBody, envelope.OriginalBodyBlob, envelope.MessageId);
            }
        }
        catch (JsonException)
        {
            // Not an envelope: a bare body.
        }

        return (BareBodyReason, parked, null, null);
    }
}
