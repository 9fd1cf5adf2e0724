using System.Net;
using System.Text.Json.Serialization.Metadata;
using FunctionsApp.Http;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.DeadLetters;

/// <summary>The dead-letter queue's ids for its messages, as the HTTP functions take them.</summary>
public static class DeadLetterIds
{
    /// <summary>True for an id of the shape the queue service gives its messages (a GUID with hyphens).</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 36 } && Guid.TryParseExact(id, "D", out _);

    /// <summary>
    /// The answer to a request for one parked message by its id: 400 for an id of the wrong shape,
    /// 404 when <paramref name="lookUp"/> does not find it, else 200 with what it returned.
    /// </summary>
    public static async Task<IResult> AnswerAsync<T>(string id, Func<string, Task<T?>> lookUp, JsonTypeInfo<T> json)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(lookUp);
        if (!IsValid(id))
        {
            return Invalid();
        }

        var found = await lookUp(id).ConfigureAwait(false);
        return found is null ? NotFound() : HttpJson.Json(HttpStatusCode.OK, found, json);
    }

    private static IResult Invalid() =>
        HttpJson.Error(HttpStatusCode.BadRequest, "invalid_id", "id must be a dead-letter queue message id, as the list gives it (a GUID).");

    private static IResult NotFound() =>
        HttpJson.Error(HttpStatusCode.NotFound, "not_found",
            $"No parked message with this id: discarded or replayed already, or not among the messages one look-up reads " +
            $"(at most {QueueDeadLetterBrowser.MaxReadsPerFind}, for at most {QueueDeadLetterBrowser.FindBudget.TotalSeconds:F0} s); a retry reads on from there.");
}
