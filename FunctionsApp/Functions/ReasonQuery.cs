using System.Net;
using FunctionsApp.Http;
using FunctionsApp.Replay;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.Functions;

/// <summary>
/// The <c>reason</c> filter of the dead-letter list and of the replay: one rule for both, so a
/// reason the list shows can be replayed, and a misspelt one is refused by both instead of
/// matching nothing.
/// </summary>
internal static class ReasonQuery
{
    /// <summary>Reads <c>reason</c> (null when absent); returns null, or the 400 answer <c>invalid_reason</c>.</summary>
    public static IResult? Read(HttpRequest request, out string? reason)
    {
        reason = request.Query["reason"];
        return reason is null || ParkedMessage.IsReason(reason)
            ? null
            : HttpJson.Error(HttpStatusCode.BadRequest, "invalid_reason",
                $"reason must be a reason code a parked message can carry, such as unknown_action, or {ParkedMessage.BareBodyReason}.");
    }
}
