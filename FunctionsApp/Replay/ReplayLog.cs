using Microsoft.Extensions.Logging;

namespace FunctionsApp.Replay;

/// <summary>Replay's log events (EventIds 5000-5099).</summary>
internal static partial class ReplayLog
{
    [LoggerMessage(EventId = 5000, EventName = "DeadLettersReplayed", Level = LogLevel.Information,
        Message = "Replayed {Moved} dead-lettered messages to the work queue, kept {Kept}, failed {Failed}, left about {Remaining} for the next call (reason filter {Reason}) in {ElapsedMs} ms")]
    public static partial void Replayed(ILogger logger, int moved, int kept, int failed, int remaining, string reason, long elapsedMs);

    /// <param name="logger">The replayer's log.</param>
    /// <param name="deadLetterId">The dead-letter queue's own id for the message (the service's, not caller text).</param>
    /// <param name="refusal">One of <see cref="ReplayRefusals"/>.</param>
    /// <param name="detail">What was found, in our words with caller text escaped.</param>
    [LoggerMessage(EventId = 5001, EventName = "ParkedMessageRefused", Level = LogLevel.Warning,
        Message = "Left dead-lettered message {DeadLetterId} parked: {Refusal}: {Detail}")]
    public static partial void Refused(ILogger logger, string deadLetterId, string refusal, string detail);

    [LoggerMessage(EventId = 5002, EventName = "ParkedMessageMoveFailed", Level = LogLevel.Warning,
        Message = "Could not move dead-lettered message {DeadLetterId}; it stays parked for the next call")]
    public static partial void MoveFailed(ILogger logger, Exception exception, string deadLetterId);
}
