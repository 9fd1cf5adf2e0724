namespace FunctionsApp.DeadLetters;

/// <summary>
/// One parked message as the list shows it: what its envelope says, never its body. Every text field
/// but <see cref="Id"/> comes from the queue, which anyone with write access fills: it is bounded
/// here and must be shown as text.
/// </summary>
/// <param name="Id">The dead-letter queue's own id for the message: the id to get, replay or discard it by.</param>
/// <param name="Reason">The envelope's reason when it is one the app writes, <c>platform_poison</c> for a bare body, else null (see <paramref name="Refusal"/>).</param>
/// <param name="Description">The envelope's description.</param>
/// <param name="MessageId">The envelope's <c>message_id</c>: the id the message had in the work queue (as the envelope claims it).</param>
/// <param name="FailedAt">When it failed, as the envelope says.</param>
/// <param name="DequeueCount">The delivery attempt on which it failed, as the envelope says.</param>
/// <param name="Action">The action, when the envelope names one.</param>
/// <param name="BodyInBlob">True when the body is in a blob of the dead-letter container.</param>
/// <param name="BodySize">The body's size in UTF-8 bytes when it is inline; null when it is in a blob (the detail reads it).</param>
/// <param name="ParkedAt">When the dead-letter queue received it (the service's clock).</param>
/// <param name="Refusal">Why replay would leave it parked (one of the replay refusal codes), or null when it can be replayed.</param>
public sealed record DeadLetterSummary(
    string Id,
    string? Reason,
    string? Description,
    string? MessageId,
    DateTimeOffset? FailedAt,
    long? DequeueCount,
    string? Action,
    bool BodyInBlob,
    int? BodySize,
    DateTimeOffset? ParkedAt,
    string? Refusal);
