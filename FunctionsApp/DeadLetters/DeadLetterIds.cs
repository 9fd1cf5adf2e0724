using System.Net;
using FunctionsApp.Http;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.DeadLetters;

/// <summary>The dead-letter queue's ids for its messages, as the HTTP functions take them.</summary>
public static class DeadLetterIds
{
    /// <summary>True for an id of the shape the queue service gives its messages (a GUID with hyphens).</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 36 } && Guid.TryParseExact(id, "D", out _);

    public static IResult Invalid() =>
        HttpJson.Error(HttpStatusCode.BadRequest, "invalid_id", "id must be a dead-letter queue message id, as the list gives it (a GUID).");

    public static IResult NotFound() =>
        HttpJson.Error(HttpStatusCode.NotFound, "not_found",
            $"No parked message with this id: discarded or replayed already, or not among the messages one look-up reads " +
            $"(at most {QueueDeadLetterBrowser.MaxReadsPerFind}, for at most {QueueDeadLetterBrowser.FindBudget.TotalSeconds:F0} s); a retry reads on from there.");
}
