namespace FunctionsApp.Dispatch;

/// <summary>
/// What the dead-letter queue holds for a message that failed: the body untouched, and enough
/// about the failure to decide whether to fix and replay it.
/// </summary>
/// <param name="Reason">One of <see cref="FailureReasons"/>.</param>
/// <param name="Description">The failure in words, for the operator.</param>
/// <param name="MessageId">The id the message had in the work queue.</param>
/// <param name="DequeueCount">The delivery attempt on which it failed.</param>
/// <param name="FailedAt">When it failed.</param>
/// <param name="Action">The action, when the message got far enough to have one; escaped and bounded like any caller text in a description.</param>
/// <param name="OriginalBody">
/// The message text exactly as it was received; null when it was too large to travel inside the
/// envelope and was stored in the blob <paramref name="OriginalBodyBlob"/> instead.
/// </param>
/// <param name="OriginalBodyBlob">The blob in the dead-letter container that holds the body, when it is not inline.</param>
public sealed record DeadLetterEnvelope(
    string Reason,
    string Description,
    string MessageId,
    long DequeueCount,
    DateTimeOffset FailedAt,
    string? Action,
    string? OriginalBody,
    string? OriginalBodyBlob = null)
{
    /// <summary>
    /// The W3C trace context the message was handled in (the dispatch span's, else the one the
    /// message carried); null when there was none. A replayed message continues it.
    /// </summary>
    public string? Traceparent { get; init; }

    /// <summary>The tracestate that goes with <see cref="Traceparent"/>.</summary>
    public string? Tracestate { get; init; }
}
