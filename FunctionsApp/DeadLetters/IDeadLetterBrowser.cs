namespace FunctionsApp.DeadLetters;

/// <summary>Reads and discards parked messages for an operator; replay is <see cref="Replay.IDeadLetterReplayer"/>'s.</summary>
public interface IDeadLetterBrowser
{
    /// <summary>One page of the list: parked messages without their bodies, and counts by reason so far.</summary>
    Task<DeadLetterPage> ListAsync(string? reason, int pageSize, DeadLetterCursor? cursor, CancellationToken cancellationToken);

    /// <summary>One parked message with its body; null when it is not in the dead-letter queue (or not met within the read bound).</summary>
    Task<DeadLetterDetail?> GetAsync(string deadLetterId, CancellationToken cancellationToken);

    /// <summary>Deletes one parked message and its stamped body blob, and logs who asked (<paramref name="caller"/>, escaped already); null when it was not found.</summary>
    Task<DeadLetterSummary?> DiscardAsync(string deadLetterId, string caller, CancellationToken cancellationToken);
}
