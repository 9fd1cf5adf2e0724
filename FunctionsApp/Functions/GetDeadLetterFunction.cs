using FunctionsApp.DeadLetters;
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
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dead-letters/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DeadLetterIds.AnswerAsync(id, found => browser.GetAsync(found, cancellationToken), DeadLettersJsonContext.Default.DeadLetterDetail);
    }
}
