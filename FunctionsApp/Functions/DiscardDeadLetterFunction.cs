using System.Net;
using FunctionsApp.DeadLetters;
using FunctionsApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// DELETE /api/dead-letters/{id}: discards one parked message (and its stamped body blob) for good,
/// by the dead-letter queue's own id for it; answers with what was discarded.
/// </summary>
public sealed class DiscardDeadLetterFunction(IDeadLetterBrowser browser)
{
    public const string Name = "DiscardDeadLetter";

    // Function level: it destroys a message; who asked is logged (event 5100).
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "dead-letters/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!DeadLetterIds.IsValid(id))
        {
            return DeadLetterIds.Invalid();
        }

        var discarded = await browser.DiscardAsync(id, CallerIdentity.Describe(request), cancellationToken).ConfigureAwait(false);
        return discarded is null
            ? DeadLetterIds.NotFound()
            : HttpJson.Json(HttpStatusCode.OK, discarded, AppJsonContext.Outgoing.DeadLetterSummary);
    }
}
