using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsApp.Diagnostics;
using FunctionsApp.Dispatch;
using FunctionsApp.Replay;
using FunctionsApp.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApp.DeadLetters;

/// <summary>
/// Lists, reads and discards the dead-letter queue without taking messages out of it.
/// </summary>
/// <remarks>
/// <para>A storage queue cannot be listed: a peek sees only the 32 messages at its head, and a
/// receive hides what it returns. So the browser receives (32 at a time, hidden for <see cref="Hold"/>)
/// and, before its call returns, makes every message it read visible again at once (one update per
/// message, in parallel), so that a replay or a look-up right after a list call finds them all. The
/// service hands out the messages that became visible earliest first (Azurite sorts by that time;
/// Azure documents the order as best effort), and a message made visible again now is behind every
/// message nobody has read: the queue turns like a ring, and the next receive brings the next unread
/// messages. That ring is the list's position, which is why the continuation token holds only
/// counts. A listing ends when it has read as many messages as the queue held when it began.</para>
/// <para>Each call does bounded work, whatever the queue holds: a list call at most
/// <see cref="MaxReceivesPerListCall"/> receives of 32, and a look-up by id at most
/// <see cref="MaxReadsPerFind"/> messages. The counts by reason are those of the messages read so far,
/// so they cover the whole queue only once a listing went round it.</para>
/// <para>Whatever it shows comes from a queue anyone with write access can fill, so it is read with
/// <see cref="ParkedMessage"/>, the rules replay trusts: a body blob is read only for an envelope
/// replay would move, only when it carries the app's stamp, and only up to <see cref="MaxBodyBytes"/>.</para>
/// </remarks>
public sealed class QueueDeadLetterBrowser(
    QueueServiceClient queues,
    BlobServiceClient blobs,
    IOptions<DispatchOptions> dispatch,
    ILogger<QueueDeadLetterBrowser> logger)
    : IDeadLetterBrowser
{
    /// <summary>
    /// How long a message read by the browser stays hidden if making it visible again fails (the
    /// worker stopped mid-call, say); normally it is visible again before the call returns.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    /// <summary>A list call receives at most this many times (32 messages each), filter or not.</summary>
    public const int MaxReceivesPerListCall = 8;

    /// <summary>A look-up by id (to read or discard one) reads at most this many messages.</summary>
    public const int MaxReadsPerFind = 5_000;

    /// <summary>
    /// A look-up by id starts no new receive after this long, well inside the 230 s Azure gives an
    /// HTTP request (the 10,000-message benchmark against Azurite read 5,000 in over four minutes).
    /// </summary>
    public static readonly TimeSpan FindBudget = TimeSpan.FromSeconds(20);

    /// <summary>The largest body blob the detail shows; a larger one is named, not read.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The most of a refused message's queue text the detail shows.</summary>
    public const int MaxQueueTextChars = 64 * 1024;

    /// <summary>The most characters of any envelope field the list shows.</summary>
    public const int MaxFieldChars = 1_000;

    /// <summary>The refusal code of a body blob that an earlier replay emptied.</summary>
    public const string BodyReplayed = "body_replayed";

    private const int ReceiveSize = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly QueueClient deadLetters = queues.GetQueueClient(dispatch.Value.DeadLetterQueueName);
    private readonly BlobContainerClient bodies = blobs.GetBlobContainerClient(dispatch.Value.DeadLetterContainerName);

    public async Task<DeadLetterPage> ListAsync(string? reason, int pageSize, DeadLetterCursor? cursor, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        if (cursor is null)
        {
            if (!(await deadLetters.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
            {
                return new DeadLetterPage([], null, 0, 0, new Dictionary<string, int>(), Complete: true);
            }

            var total = (await deadLetters.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
            cursor = new DeadLetterCursor(total, 0, new Dictionary<string, int>());
        }

        var counts = new Dictionary<string, int>(cursor.Counts, StringComparer.Ordinal);
        var read = cursor.Read;
        var page = new List<DeadLetterSummary>();
        var exhausted = false;
        var held = new List<QueueMessage>();
        try
        {
            for (var receives = 0; receives < MaxReceivesPerListCall && page.Count < pageSize && read < cursor.Total; receives++)
            {
                // Without a filter every message read is shown, so no more are read than the page has room for.
                var wanted = Math.Min(ReceiveSize, reason is null ? pageSize - page.Count : ReceiveSize);
                var batch = await ReceiveAsync(Math.Min(wanted, Math.Max(1, cursor.Total - read)), cancellationToken).ConfigureAwait(false);
                held.AddRange(batch);
                if (batch.Length == 0)
                {
                    exhausted = true;
                    break;
                }

                foreach (var message in batch)
                {
                    var summary = Summarize(message, ParkedMessage.Read(message.MessageText), out var countKey);
                    var matches = reason is null || reason == summary.Reason;
                    if (matches && page.Count == pageSize)
                    {
                        // No room left: it is not counted as read. Made visible again with the rest, it
                        // is behind every unread message, and the listing meets it again near its end.
                        continue;
                    }

                    read++;
                    counts[countKey] = counts.GetValueOrDefault(countKey) + 1;
                    if (matches)
                    {
                        page.Add(summary);
                    }
                }
            }
        }
        finally
        {
            await ReleaseAsync(held).ConfigureAwait(false);
        }

        var complete = exhausted || read >= cursor.Total;
        var next = new DeadLetterCursor(cursor.Total, read, counts);
        return new DeadLetterPage(page, complete ? null : next.Encode(), cursor.Total, read, counts, complete);
    }

    public async Task<DeadLetterDetail?> GetAsync(string deadLetterId, CancellationToken cancellationToken)
    {
        var message = await FindAsync(deadLetterId, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return null;
        }

        try
        {
            return await DescribeAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync([message]).ConfigureAwait(false);
        }
    }

    private async Task<DeadLetterDetail> DescribeAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var parked = ParkedMessage.Read(message.MessageText);
        var summary = Summarize(message, parked, out _);
        if (parked.Refusal is { } refusal)
        {
            var text = message.MessageText.Length > MaxQueueTextChars ? message.MessageText[..MaxQueueTextChars] : message.MessageText;
            return new DeadLetterDetail(summary, null, refusal, parked.RefusalDetail, WellFormed(text));
        }

        if (parked.Body is { } inline)
        {
            return new DeadLetterDetail(summary, WellFormed(inline), null, null, null);
        }

        var (body, bodyRefusal, detail) = await ReadBodyBlobAsync(parked.MessageId!, cancellationToken).ConfigureAwait(false);
        return new DeadLetterDetail(summary, body, bodyRefusal, detail, null);
    }

    public async Task<DeadLetterSummary?> DiscardAsync(string deadLetterId, string caller, CancellationToken cancellationToken)
    {
        var message = await FindAsync(deadLetterId, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return null;
        }

        var parked = ParkedMessage.Read(message.MessageText);
        var summary = Summarize(message, parked, out var countKey);
        try
        {
            await deadLetters.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Someone received it after the look-up (its one-second hold had run out).
            return null;
        }

        // The body blob goes too, but only one that is provably this message's: an envelope replay
        // would refuse never makes the app delete a blob.
        var blobDeleted = false;
        if (parked is { Refusal: null, Body: null, MessageId: { } parkedId })
        {
            var blob = bodies.GetBlobClient(QueueDeadLetterSink.BodyBlobName(parkedId));
            try
            {
                var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                if (properties.Metadata.TryGetValue(QueueDeadLetterSink.ParkedMessageIdMetadata, out var stamp) && stamp == parkedId)
                {
                    blobDeleted = (await blob.DeleteIfExistsAsync(
                        conditions: new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Gone already, or changed since it was looked at: left as it is.
            }
        }

        DeadLetterLog.Discarded(logger, message.MessageId, countKey, parked.MessageId ?? CallerText.Missing, blobDeleted, caller);
        return summary;
    }

    /// <summary>Makes messages this call read visible again at once; one it can no longer update was received by someone else meanwhile.</summary>
    private Task ReleaseAsync(IEnumerable<QueueMessage> messages) => deadLetters.ReleaseAsync(messages, ReceiveSize);

    private async Task<QueueMessage[]> ReceiveAsync(int count, CancellationToken cancellationToken) =>
        (await deadLetters.ReceiveMessagesAsync(count, Hold, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>
    /// Reads the ring until it meets the message, or meets again only messages it read already (it
    /// went round), or has read <see cref="MaxReadsPerFind"/>. What it read is made visible again as
    /// it goes; the message found stays hidden (for <see cref="Hold"/>) until the caller is done with it.
    /// </summary>
    private async Task<QueueMessage?> FindAsync(string deadLetterId, CancellationToken cancellationToken)
    {
        if (!(await deadLetters.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (seen.Count < MaxReadsPerFind && clock.Elapsed < FindBudget)
        {
            var batch = await ReceiveAsync(ReceiveSize, cancellationToken).ConfigureAwait(false);
            var found = batch.FirstOrDefault(m => m.MessageId == deadLetterId);
            var fresh = batch.Count(m => seen.Add(m.MessageId));
            await ReleaseAsync(batch.Where(m => m != found)).ConfigureAwait(false);
            if (found is not null)
            {
                return found;
            }

            if (fresh == 0)
            {
                // Nothing visible, or only messages read already: it went round.
                return null;
            }
        }

        return null;
    }

    private async Task<(string? Body, string? Refusal, string? Detail)> ReadBodyBlobAsync(string parkedId, CancellationToken cancellationToken)
    {
        var blob = bodies.GetBlobClient(QueueDeadLetterSink.BodyBlobName(parkedId));
        var (properties, refusal, detail) = await BodyBlobStamp.CheckAsync(blob, parkedId, cancellationToken).ConfigureAwait(false);
        if (properties is null)
        {
            return (null, refusal, detail);
        }

        if (properties.Metadata.ContainsKey(QueueDeadLetterReplayer.ReplayedAtMetadata))
        {
            return (null, BodyReplayed, "it was replayed already; its body blob was emptied then, and this is a second parked copy.");
        }

        if (properties.ContentLength > MaxBodyBytes)
        {
            return (null, ReplayRefusals.BodyTooLarge, $"its body blob is {properties.ContentLength} bytes; the console shows at most {MaxBodyBytes}.");
        }

        try
        {
            var content = (await blob.DownloadContentAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken).ConfigureAwait(false)).Value.Content;
            return (StrictUtf8.GetString(content.ToMemory().Span), null, null);
        }
        catch (Exception ex) when (ex is DecoderFallbackException || (ex is RequestFailedException { Status: 412 }))
        {
            return (null, ReplayRefusals.BodyUnreadable, "its body blob is not UTF-8 text, or changed while it was read.");
        }
    }

    private static DeadLetterSummary Summarize(QueueMessage message, ParkedMessage parked, out string countKey)
    {
        DeadLetterEnvelope? envelope = null;
        if (parked.Reason != ParkedMessage.BareBodyReason)
        {
            try
            {
                envelope = JsonSerializer.Deserialize(message.MessageText, DispatchJsonContext.Envelope.DeadLetterEnvelope);
            }
            catch (JsonException)
            {
                // Read as an envelope by ParkedMessage, so it parses; a field of the wrong type
                // (a string dequeue_count, say) leaves it without the fields below.
            }
        }

        // A refused envelope keeps its reason only when it is one the app writes.
        var reason = ParkedMessage.IsReason(parked.Reason) ? parked.Reason : null;
        countKey = reason ?? DeadLetterCursor.UnrecognizedReason;
        var inline = parked.Reason == ParkedMessage.BareBodyReason ? parked.Body : envelope?.OriginalBody;
        return new DeadLetterSummary(
            message.MessageId,
            reason,
            Bound(envelope?.Description),
            Bound(envelope?.MessageId),
            envelope?.FailedAt,
            envelope?.DequeueCount,
            Bound(envelope?.Action),
            BodyInBlob: inline is null && envelope?.OriginalBodyBlob is not null,
            BodySize: inline is null ? null : Encoding.UTF8.GetByteCount(inline),
            message.InsertedOn,
            parked.Refusal);
    }

    private static string? Bound(string? text) => WellFormed(text is { Length: > MaxFieldChars } ? text[..MaxFieldChars] : text);

    /// <summary>
    /// The text with every lone surrogate (JSON can carry one as <c>\ud800</c>; a bound can cut a
    /// pair) replaced by U+FFFD, so that it can be written as JSON at all.
    /// </summary>
    internal static string? WellFormed(string? text)
    {
        if (text is null || !text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }
}
