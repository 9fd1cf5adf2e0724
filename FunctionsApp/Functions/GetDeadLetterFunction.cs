using System.Net;
using FunctionsApp.DeadLetters;
using FunctionsApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// GET /api/dead-letters/{id}: one parked message with its body, by the dead-letter queue's own id
/// for it (the <c>id</c> the list gives, not the envelope's <c>message_id</c>, which anyone can write).
/// </summary>
public sealed class GetDeadLetterFunction(IDeadLetterBrowser browser)
{
    public const string Name = "GetDeadLetter";

    // Function level: the body may hold personal data.
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dead-letters/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!DeadLetterIds.IsValid(id))
        {
            return DeadLetterIds.Invalid();
        }

        var detail = await browser.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return detail is null
            ? DeadLetterIds.NotFound()
            : HttpJson.Json(HttpStatusCode.OK, detail, AppJsonContext.Outgoing.DeadLetterDetail);
    }
}
