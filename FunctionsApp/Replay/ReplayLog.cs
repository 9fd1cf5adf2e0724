using Microsoft.Extensions.Logging;

namespace FunctionsApp.Replay;

/// <summary>Replay's log events (EventIds 5000-5099).</summary>
internal static partial class ReplayLog
{
    [LoggerMessage(EventId = 5000, EventName = "DeadLettersReplayed", Level = LogLevel.Information,
        Message = "Replayed {Moved} dead-lettered messages to the work queue, kept {Kept}, left about {Remaining} for the next call (reason filter {Reason}) in {ElapsedMs} ms")]
    public static partial void Replayed(ILogger logger, int moved, int kept, int remaining, string reason, long elapsedMs);
}
