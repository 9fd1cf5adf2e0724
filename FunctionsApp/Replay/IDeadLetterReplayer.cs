namespace FunctionsApp.Replay;

/// <summary>Sends parked messages back to the work queue, for example after a fix was deployed.</summary>
public interface IDeadLetterReplayer
{
    /// <summary>
    /// Moves up to <paramref name="maxMessages"/> dead-lettered messages whose reason is
    /// <paramref name="reason"/> (all when null) back to the work queue, each with its original
    /// body; leaves the others where they are.
    /// </summary>
    Task<ReplayReport> ReplayAsync(string? reason, int maxMessages, CancellationToken cancellationToken);

    /// <summary>
    /// Moves exactly the dead-lettered messages with these dead-letter queue ids (the ids the list
    /// shows, not the envelopes' <c>message_id</c>) back to the work queue, by the same rules;
    /// ids it does not find are named in <see cref="ReplayReport.NotFound"/>.
    /// </summary>
    Task<ReplayReport> ReplayIdsAsync(IReadOnlyCollection<string> deadLetterIds, CancellationToken cancellationToken);
}
