using System.Net;
using FunctionsApp.DeadLetters;
using FunctionsApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// GET /api/dead-letters[?reason=...&amp;page_size=...&amp;continuation=...]: a page of parked
/// messages (no bodies) and the counts by reason of what the listing has read so far.
/// </summary>
public sealed class ListDeadLettersFunction(IDeadLetterBrowser browser)
{
    public const string Name = "ListDeadLetters";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    // Function level: the list names who failed and why; see the README on what it reveals.
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dead-letters")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ReasonQuery.Read(request, out var reason) is { } badReason)
        {
            return badReason;
        }

        if (HttpQuery.WholeNumber(request, "page_size", DefaultPageSize, MaxPageSize, out var pageSize) is { } badPageSize)
        {
            return badPageSize;
        }

        DeadLetterCursor? cursor = null;
        if ((string?)request.Query["continuation"] is { } token && (cursor = DeadLetterCursor.TryDecode(token)) is null)
        {
            return HttpJson.Error(HttpStatusCode.BadRequest, "invalid_continuation", "continuation must be a token a previous page gave.");
        }

        var page = await browser.ListAsync(reason, pageSize, cursor, cancellationToken).ConfigureAwait(false);
        return HttpJson.Json(HttpStatusCode.OK, page, DeadLettersJsonContext.Default.DeadLetterPage);
    }
}
