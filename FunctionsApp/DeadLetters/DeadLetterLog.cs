using Microsoft.Extensions.Logging;

namespace FunctionsApp.DeadLetters;

/// <summary>The dead-letter console's log events (EventIds 5100-5199).</summary>
internal static partial class DeadLetterLog
{
    /// <param name="logger">The browser's log.</param>
    /// <param name="deadLetterId">The dead-letter queue's id for the message (the service's, not caller text).</param>
    /// <param name="reason">The reason code, or (unrecognized) for a refused envelope.</param>
    /// <param name="messageId">The envelope's checked message id, or (none).</param>
    /// <param name="bodyBlobDeleted">Whether its stamped body blob was deleted too.</param>
    /// <param name="caller">Who asked, as the platform names them (escaped), or who could not be told.</param>
    [LoggerMessage(EventId = 5100, EventName = "DeadLetterDiscarded", Level = LogLevel.Warning,
        Message = "Discarded dead-lettered message {DeadLetterId} (reason {Reason}, message id {MessageId}, body blob deleted {BodyBlobDeleted}) at the request of {Caller}")]
    public static partial void Discarded(ILogger logger, string deadLetterId, string reason, string messageId, bool bodyBlobDeleted, string caller);
}
