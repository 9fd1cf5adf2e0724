using Microsoft.Extensions.Logging;

namespace FunctionsApp.Greeting;

/// <summary>Greeting log events (EventIds 4000-4099). Names are not logged.</summary>
internal static partial class GreetingLog
{
    [LoggerMessage(EventId = 4000, EventName = "GreetingRejected", Level = LogLevel.Information,
        Message = "Greeting request rejected with {StatusCode}: {Error}")]
    public static partial void GreetingRejected(ILogger logger, int statusCode, string error);
}
