using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Diagnostics;
using FunctionsApp.Dispatch;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Replay;

/// <summary>
/// Replays the dead-letter queue into the work queue, in parallel batches, for as long as its time
/// budget allows. Each message is sent first and deleted after, so a crash in between leaves a
/// duplicate (which the handlers tolerate), never a loss.
/// </summary>
public sealed class QueueDeadLetterReplayer(
    QueueServiceClient queues,
    BlobServiceClient blobs,
    IOptions<DispatchOptions> dispatch,
    IOptions<ReplayOptions> options,
    TimeProvider time,
    AppMetrics metrics,
    ILogger<QueueDeadLetterReplayer> logger)
    : IDeadLetterReplayer
{
    /// <summary>The reason given to a parked message that has no envelope (a body the platform moved by itself).</summary>
    public const string BareBodyReason = "platform_poison";

    /// <summary>The queue service hands out at most 32 messages per receive.</summary>
    private const int ReceiveSize = 32;

    /// <summary>
    /// Receives per round. One: a round moves what one receive brought, all at once, so that when
    /// the budget runs out little is held unstarted (each such message costs a request to release;
    /// against a slow store, rounds of 128 overran the budget by minutes).
    /// </summary>
    private const int ReceivesPerRound = 1;

    private readonly QueueClient deadLetters = queues.GetQueueClient(dispatch.Value.DeadLetterQueueName);
    private readonly QueueClient work = queues.GetQueueClient(dispatch.Value.WorkItemsQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(dispatch.Value.DeadLetterContainerName);
    private readonly TimeSpan budget = TimeSpan.FromSeconds(options.Value.TimeBudgetSeconds);
    private readonly int parallelism = options.Value.Parallelism;

    public async Task<ReplayReport> ReplayAsync(string? reason, int maxMessages, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var deadline = started + budget;
        var movedByReason = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!(await deadLetters.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return new ReplayReport(0, 0, 0, 0, movedByReason);
        }

        // Only what was parked when the replay began is looked at: a replayed message that fails
        // again is parked anew and waits for the next replay instead of cycling.
        var parkedAtStart = (await deadLetters.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
        // What is held but not moved is released at the end, so it must stay hidden until then.
        var hold = budget + TimeSpan.FromSeconds(60);
        var release = new Dictionary<string, QueueMessage>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var replayedIds = new HashSet<string>(StringComparer.Ordinal);
        int moved = 0, kept = 0, overMax = 0, overBudget = 0, duplicates = 0;
        var queueDrained = false;
        try
        {
            while (moved < maxMessages && seen.Count < parkedAtStart && time.GetUtcNow() < deadline)
            {
                // Received one after the other: Azurite can hand one message to two receives that
                // overlap, and the first one's pop receipt would then no longer delete it.
                var wanted = Math.Min(ReceiveSize * ReceivesPerRound, parkedAtStart - seen.Count);
                var batch = new List<QueueMessage>(wanted);
                while (batch.Count < wanted)
                {
                    var received = (await deadLetters.ReceiveMessagesAsync(Math.Min(ReceiveSize, wanted - batch.Count), hold, cancellationToken)
                        .ConfigureAwait(false)).Value;
                    batch.AddRange(received);
                    if (received.Length == 0)
                    {
                        break;
                    }
                }

                var fresh = batch.Where(m => seen.Add(m.MessageId)).ToList();
                foreach (var again in batch.Except(fresh))
                {
                    release[again.MessageId] = again;
                }

                if (fresh.Count == 0)
                {
                    queueDrained = true;
                    break;
                }

                // Decided one by one, in the order received (filter, max, copies of one message);
                // the storage calls then run in parallel.
                var toMove = new List<(QueueMessage Message, Parked Parked)>();
                var toDrop = new List<QueueMessage>();
                foreach (var message in fresh)
                {
                    var parked = Read(message.MessageText);
                    if (reason is not null && reason != parked.Reason)
                    {
                        release[message.MessageId] = message;
                        kept++;
                    }
                    else if (moved + toMove.Count >= maxMessages)
                    {
                        release[message.MessageId] = message;
                        overMax++;
                    }
                    else if (parked.MessageId is not null && !replayedIds.Add(parked.MessageId))
                    {
                        // A message parked twice (the worker stopped between parking it and the
                        // queue deleting it) goes back once: its copies share the original id.
                        toDrop.Add(message);
                    }
                    else
                    {
                        toMove.Add((message, parked));
                    }
                }

                var parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
                await Parallel.ForEachAsync(toDrop, parallel, (message, token) => DeleteParkedAsync(message, token)).ConfigureAwait(false);
                duplicates += toDrop.Count;

                // The budget is checked before each message too: a round on a slow store can take
                // longer than the budget has left. What is not started stays parked, in remaining.
                var done = new bool[toMove.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, toMove.Count), parallel, async (i, token) =>
                {
                    if (time.GetUtcNow() < deadline)
                    {
                        await MoveAsync(toMove[i].Message, toMove[i].Parked, token).ConfigureAwait(false);
                        done[i] = true;
                    }
                }).ConfigureAwait(false);

                for (var i = 0; i < toMove.Count; i++)
                {
                    var (message, parked) = toMove[i];
                    if (done[i])
                    {
                        moved++;
                        movedByReason[parked.Reason] = movedByReason.GetValueOrDefault(parked.Reason) + 1;
                    }
                    else
                    {
                        release[message.MessageId] = message;
                        overBudget++;
                        if (parked.MessageId is not null)
                        {
                            replayedIds.Remove(parked.MessageId);
                        }
                    }
                }
            }
        }
        finally
        {
            // Make what stays visible again at once rather than after the hold.
            await Parallel.ForEachAsync(release.Values, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (message, _) =>
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
            }).ConfigureAwait(false);
        }

        // The count at the start is approximate; once a receive found nothing visible, nothing is left.
        var remaining = overMax + overBudget + (queueDrained ? 0 : Math.Max(0, parkedAtStart - seen.Count));
        foreach (var (movedReason, count) in movedByReason)
        {
            // Reasons are read from envelopes anyone with access to the queue can write: as a
            // metric dimension, only the known ones.
            metrics.Replayed(FailureReasons.IsKnown(movedReason) || movedReason == BareBodyReason ? movedReason : AppTelemetry.OtherAction, count);
        }

        var elapsed = time.GetUtcNow() - started;
        ReplayLog.Replayed(logger, moved, kept, remaining, reason ?? "(any)", (long)elapsed.TotalMilliseconds);
        return new ReplayReport(moved, kept, duplicates, remaining, movedByReason);
    }

    private async ValueTask MoveAsync(QueueMessage message, Parked parked, CancellationToken cancellationToken)
    {
        // An envelope has its body inline or names the blob that holds it (see Read).
        var blob = parked.BodyBlob is null ? null : bodies.GetBlobClient(parked.BodyBlob);
        var body = blob is null
            ? parked.Body!
            : (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();

        await work.SendMessageAsync(ReplayedBody.WithTraceContext(body, parked.Trace), cancellationToken).ConfigureAwait(false);
        await DeleteParkedAsync(message, cancellationToken).ConfigureAwait(false);
        if (blob is not null)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeleteParkedAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await deadLetters.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Gone already: the SDK retried a delete whose first answer was lost (seen against a
            // busy Azurite with 10,000 messages), or the hold ran out and another reader has it. The
            // message was sent; at worst it is sent once more later, which the handlers absorb.
        }
    }

    private static Parked Read(string text)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(text, AppJsonContext.Readable.DeadLetterEnvelope);
            if (envelope is { Reason: not null } && (envelope.OriginalBody is not null || envelope.OriginalBodyBlob is not null))
            {
                // The reason becomes a key of the answer: anyone who can write to the queue chooses it.
                // The trace context is checked like one in a message: a bad one is left behind.
                var trace = envelope.Traceparent is { } traceparent && MessageTraceContext.IsTraceparent(traceparent)
                    ? new MessageTraceContext(traceparent, envelope.Tracestate is { } state && MessageTraceContext.IsTracestate(state) ? state : null)
                    : null;
                return new Parked(CallerText.Escape(envelope.Reason), envelope.OriginalBody, envelope.OriginalBodyBlob, envelope.MessageId, trace);
            }
        }
        catch (JsonException)
        {
            // Not an envelope: a bare body.
        }

        return new Parked(BareBodyReason, text, null, null, null);
    }

    private sealed record Parked(string Reason, string? Body, string? BodyBlob, string? MessageId, MessageTraceContext? Trace);
}
