namespace FunctionsApp.DeadLetters;

/// <summary>
/// A page of the list. <see cref="Counts"/> are over the messages this listing has read so far
/// (this page and the ones before it), not over the whole queue unless <see cref="Complete"/>:
/// the queue service cannot count by content, so counting means reading.
/// </summary>
/// <param name="Messages">This page's messages, in queue order.</param>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; null when the listing went round the whole queue.</param>
/// <param name="ApproximateTotal">The queue's own approximate message count when the listing began.</param>
/// <param name="Read">How many messages this listing has read so far.</param>
/// <param name="Counts">Messages read so far by reason (refused envelopes under <c>unrecognized</c>).</param>
/// <param name="Complete">True when the listing has read about as many messages as the queue held when it began.</param>
public sealed record DeadLetterPage(
    IReadOnlyList<DeadLetterSummary> Messages,
    string? Continuation,
    int ApproximateTotal,
    int Read,
    IReadOnlyDictionary<string, int> Counts,
    bool Complete);
