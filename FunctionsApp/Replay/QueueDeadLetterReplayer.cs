using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Dispatch;
using FunctionsApp.Storage;
using FunctionsApp.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.Replay;

/// <summary>
/// Replays the dead-letter queue into the work queue, in parallel batches, for as long as its time
/// budget allows. Each message is sent first and deleted after, so a crash in between leaves a
/// duplicate (which the handlers tolerate), never a loss.
/// </summary>
/// <remarks>
/// Whoever can write to the dead-letter queue can put anything there, so a parked message is trusted
/// only as far as the app can prove it wrote it (see <see cref="ParkedMessage"/>): its body blob is
/// named after its message id, never taken from it, and is read only when it carries the app's stamp
/// and fits in a queue message. Whatever fails those checks, or fails to move, is left parked and
/// counted in the answer; it never fails the call.
/// </remarks>
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
    public const string BareBodyReason = ParkedMessage.BareBodyReason;

    /// <summary>
    /// The metadata a body blob gets once its message was replayed. The body is replaced by nothing
    /// (it may hold personal data) but the blob stays as a marker: a second parked copy of the same
    /// message found in a later call is then dropped, not sent again.
    /// </summary>
    public const string ReplayedAtMetadata = "replayed_at";

    /// <summary>The queue service hands out at most 32 messages per receive.</summary>
    private const int ReceiveSize = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly QueueClient deadLetters = queues.GetQueueClient(dispatch.Value.DeadLetterQueueName);
    private readonly QueueClient work = queues.GetQueueClient(dispatch.Value.WorkItemsQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(dispatch.Value.DeadLetterContainerName);
    private readonly TimeSpan budget = TimeSpan.FromSeconds(options.Value.TimeBudgetSeconds);
    private readonly int parallelism = options.Value.Parallelism;
    private readonly TimeSpan workTimeToLive = TimeToLiveAttribute.ToTimeSpan(options.Value.WorkItemTimeToLiveSeconds);

    private enum Result
    {
        Moved,
        Duplicate,
        Refused,
        NotStarted,
    }

    public Task<ReplayReport> ReplayAsync(string? reason, int maxMessages, CancellationToken cancellationToken) =>
        RunAsync(reason, ids: null, maxMessages, cancellationToken);

    public Task<ReplayReport> ReplayIdsAsync(IReadOnlyCollection<string> deadLetterIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetterIds);
        var ids = deadLetterIds.ToHashSet(StringComparer.Ordinal);
        return RunAsync(reason: null, ids, ids.Count, cancellationToken);
    }

    /// <summary>
    /// One replay: the messages whose reason is <paramref name="reason"/> (any when null) or, when
    /// <paramref name="ids"/> is given, exactly the messages with those dead-letter queue ids. An id
    /// replay stops reading as soon as it met every id it was given.
    /// </summary>
    private async Task<ReplayReport> RunAsync(string? reason, HashSet<string>? ids, int maxMessages, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var deadline = started + budget;
        var movedByReason = new Dictionary<string, int>(StringComparer.Ordinal);
        var failedByReason = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!(await deadLetters.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return new ReplayReport(0, 0, 0, 0, movedByReason, 0, failedByReason) { NotFound = ids?.Order(StringComparer.Ordinal).ToArray() };
        }

        // Only what was parked when the replay began is looked at: a replayed message that fails
        // again is parked anew and waits for the next replay instead of cycling.
        var parkedAtStart = (await deadLetters.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
        // What is held but not moved is released at the end, so it must stay hidden until then.
        var hold = budget + TimeSpan.FromSeconds(60);
        var release = new Dictionary<string, QueueMessage>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var replayedIds = new HashSet<string>(StringComparer.Ordinal);
        int moved = 0, kept = 0, failed = 0, overMax = 0, overBudget = 0, duplicates = 0;
        var queueDrained = false;

        void Fail(QueueMessage message, string refusal)
        {
            release[message.MessageId] = message;
            failed++;
            failedByReason[refusal] = failedByReason.GetValueOrDefault(refusal) + 1;
        }

        try
        {
            while (moved < maxMessages && seen.Count < parkedAtStart && time.GetUtcNow() < deadline
                && (ids is null || ids.Any(id => !seen.Contains(id))))
            {
                // One receive per round: a round moves what it brought, all at once, so that when the
                // budget runs out little is held unstarted. Rounds follow one another: Azurite can hand
                // one message to two receives that overlap.
                var wanted = Math.Min(ReceiveSize, parkedAtStart - seen.Count);
                var batch = (await deadLetters.ReceiveMessagesAsync(wanted, hold, cancellationToken).ConfigureAwait(false)).Value;
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

                // Decided one by one, in the order received (filter, max, trust, copies of one
                // message); the storage calls then run in parallel.
                var toMove = new List<(QueueMessage Message, ParkedMessage Parked)>();
                var toDrop = new List<QueueMessage>();
                foreach (var message in fresh)
                {
                    var parked = ParkedMessage.Read(message.MessageText);
                    if ((reason is not null && reason != parked.Reason) || (ids is not null && !ids.Contains(message.MessageId)))
                    {
                        release[message.MessageId] = message;
                        kept++;
                    }
                    else if (moved + toMove.Count >= maxMessages)
                    {
                        release[message.MessageId] = message;
                        overMax++;
                    }
                    else if (parked.Refusal is { } refusal)
                    {
                        ReplayLog.Refused(logger, message.MessageId, refusal, parked.RefusalDetail!);
                        Fail(message, refusal);
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
                var results = new (Result Result, string? Refusal)[toMove.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, toMove.Count), parallel, async (i, token) =>
                {
                    results[i] = time.GetUtcNow() < deadline
                        ? await MoveAsync(toMove[i].Message, toMove[i].Parked, token).ConfigureAwait(false)
                        : (Result.NotStarted, null);
                }).ConfigureAwait(false);

                for (var i = 0; i < toMove.Count; i++)
                {
                    var (message, parked) = toMove[i];
                    switch (results[i].Result)
                    {
                        case Result.Moved:
                            moved++;
                            movedByReason[parked.Reason!] = movedByReason.GetValueOrDefault(parked.Reason!) + 1;
                            break;
                        case Result.Duplicate:
                            duplicates++;
                            break;
                        case Result.Refused:
                            Fail(message, results[i].Refusal!);
                            break;
                        default:
                            release[message.MessageId] = message;
                            overBudget++;
                            if (parked.MessageId is not null)
                            {
                                replayedIds.Remove(parked.MessageId);
                            }

                            break;
                    }
                }
            }
        }
        finally
        {
            // Make what stays visible again at once rather than after the hold.
            await deadLetters.ReleaseAsync(release.Values, parallelism).ConfigureAwait(false);
        }

        // The count at the start is approximate; once a receive found nothing visible, nothing is left.
        var remaining = overMax + overBudget + (queueDrained ? 0 : Math.Max(0, parkedAtStart - seen.Count));
        string[]? notFound = null;
        if (ids is not null)
        {
            // Only the ids asked for count: an id not met was not found, and the reading stopped
            // early only when the budget ran out (remaining then counts the ids it did not reach).
            notFound = ids.Where(id => !seen.Contains(id)).Order(StringComparer.Ordinal).ToArray();
            var scannedAll = queueDrained || seen.Count >= parkedAtStart;
            remaining = overBudget + (scannedAll ? 0 : notFound.Length);
        }

        foreach (var (movedReason, count) in movedByReason)
        {
            metrics.Replayed(movedReason, count);
        }

        var elapsed = time.GetUtcNow() - started;
        ReplayLog.Replayed(logger, moved, kept, failed, remaining, ids is not null ? $"{ids.Count} ids" : reason ?? "(any)", (long)elapsed.TotalMilliseconds);
        return new ReplayReport(moved, kept, duplicates, remaining, movedByReason, failed, failedByReason) { NotFound = notFound };
    }

    /// <summary>
    /// Sends one checked parked message to the work queue and removes it. A body blob is read only
    /// when it carries our stamp and fits in a queue message; once sent it is emptied and marked
    /// replayed before the parked message is deleted, so a crash in between leaves a copy that the
    /// next call recognises and drops.
    /// </summary>
    private async Task<(Result, string?)> MoveAsync(QueueMessage message, ParkedMessage parked, CancellationToken cancellationToken)
    {
        try
        {
            var body = parked.Body;
            BlobClient? blob = null;
            var blobVersion = ETag.All;
            if (body is null)
            {
                blob = bodies.GetBlobClient(QueueDeadLetterSink.BodyBlobName(parked.MessageId!));
                var (properties, refusal, detail) = await BodyBlobStamp.CheckAsync(blob, parked.MessageId!, cancellationToken).ConfigureAwait(false);
                if (properties is null)
                {
                    return Refuse(message, refusal, detail);
                }

                if (properties.Metadata.ContainsKey(ReplayedAtMetadata))
                {
                    // A copy of a message already replayed in an earlier call.
                    await DeleteParkedAsync(message, cancellationToken).ConfigureAwait(false);
                    return (Result.Duplicate, null);
                }

                if (properties.ContentLength > DispatchOptions.QueueMessageLimitBytes)
                {
                    return Refuse(message, ReplayRefusals.BodyTooLarge,
                        $"its body blob is {properties.ContentLength} bytes; a queue message holds at most {DispatchOptions.QueueMessageLimitBytes}.");
                }

                blobVersion = properties.ETag;
                BinaryData content;
                try
                {
                    content = (await blob.DownloadContentAsync(
                        new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = blobVersion } }, cancellationToken).ConfigureAwait(false)).Value.Content;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    return Refuse(message, ReplayRefusals.BodyUnreadable, "its body blob changed while it was read.");
                }

                try
                {
                    body = StrictUtf8.GetString(content.ToMemory().Span);
                }
                catch (DecoderFallbackException)
                {
                    return Refuse(message, ReplayRefusals.BodyUnreadable, "its body blob is not UTF-8 text.");
                }
            }

            await work.SendMessageAsync(ReplayedBody.For(body, parked.Trace, parked.MessageId), visibilityTimeout: null, workTimeToLive, cancellationToken)
                .ConfigureAwait(false);
            if (blob is not null)
            {
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions
                {
                    Metadata = new Dictionary<string, string>
                    {
                        [QueueDeadLetterSink.ParkedMessageIdMetadata] = parked.MessageId!,
                        [ReplayedAtMetadata] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    },
                    Conditions = new BlobRequestConditions { IfMatch = blobVersion },
                }, cancellationToken).ConfigureAwait(false);
            }

            await DeleteParkedAsync(message, cancellationToken).ConfigureAwait(false);
            return (Result.Moved, null);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            // Storage failed (an error answer, or the SDK's retries ran out on a network failure) for this one message (after the SDK's own retries): it is released and
            // counted, and the rest of the call goes on. If the send had gone through, the next call
            // sends it again, which the handlers absorb.
            ReplayLog.MoveFailed(logger, ex, message.MessageId);
            return (Result.Refused, ReplayRefusals.MoveFailed);
        }
    }

    private (Result, string?) Refuse(QueueMessage message, string refusal, string detail)
    {
        ReplayLog.Refused(logger, message.MessageId, refusal, detail);
        return (Result.Refused, refusal);
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
}
