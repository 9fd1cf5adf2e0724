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
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "dead-letters/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DeadLetterIds.AnswerAsync(
            id, found => browser.DiscardAsync(found, CallerIdentity.Describe(request), cancellationToken), DeadLettersJsonContext.Default.DeadLetterSummary);
    }
}
