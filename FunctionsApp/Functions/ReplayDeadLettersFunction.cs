using System.Net;
using System.Text.Json;
using FunctionsApp.DeadLetters;
using FunctionsApp.Http;
using FunctionsApp.Replay;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// The operator's replay request: POST /api/dead-letters/replay[?reason=...&amp;max=...] moves
/// dead-lettered messages back to the work queue and answers with what it moved; with the body
/// <c>{"ids":[...]}</c> it moves exactly the messages with those dead-letter queue ids.
/// </summary>
public sealed class ReplayDeadLettersFunction(IDeadLetterReplayer replayer)
{
    public const string Name = "ReplayDeadLetters";
    public const int DefaultMax = 1000;
    public const int MaxMax = 10_000;

    /// <summary>The most ids one call replays (a page of the console is at most 100).</summary>
    public const int MaxIds = 100;

    /// <summary>The largest request body read: 100 ids are under 4 KiB.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    // Function level: in Azure it needs a function key, since it moves messages; Core Tools does
    // not check keys locally.
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "dead-letters/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ReasonQuery.Read(request, out var reason) is { } badReason)
        {
            return badReason;
        }

        if (HttpQuery.WholeNumber(request, "max", DefaultMax, MaxMax, out var max) is { } badMax)
        {
            return badMax;
        }

        var (ids, bodyError) = await ReadIdsAsync(request, cancellationToken).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ids is not null)
        {
            if (reason is not null || request.Query.ContainsKey("max"))
            {
                return HttpJson.Error(HttpStatusCode.BadRequest, "ids_with_filter", "ids replays exactly those messages: leave out reason and max.");
            }

            var byIds = await replayer.ReplayIdsAsync(ids, cancellationToken).ConfigureAwait(false);
            return HttpJson.Json(HttpStatusCode.OK, byIds, ReplayJsonContext.Default.ReplayReport);
        }

        var report = await replayer.ReplayAsync(reason, max, cancellationToken).ConfigureAwait(false);
        return HttpJson.Json(HttpStatusCode.OK, report, ReplayJsonContext.Default.ReplayReport);
    }

    /// <summary>The ids of the body, null when there is no body; or the 400 it deserves.</summary>
    private static async Task<(IReadOnlyList<string>? Ids, IResult? Error)> ReadIdsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = await HttpBody.ReadAtMostAsync(request.Body, MaxBodyBytes + 1, cancellationToken).ConfigureAwait(false);
        if (buffer.Length > MaxBodyBytes)
        {
            return (null, HttpJson.Error(HttpStatusCode.BadRequest, "invalid_body", $"The body must be at most {MaxBodyBytes} bytes."));
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        ReplayRequest? body;
        try
        {
            body = JsonSerializer.Deserialize(buffer.Span, ReplayJsonContext.Default.ReplayRequest);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?.Ids is not { } ids)
        {
            return (null, HttpJson.Error(HttpStatusCode.BadRequest, "invalid_body", """The body must be {"ids":["<id>", ...]} or empty."""));
        }

        if (ids.Count is 0 or > MaxIds || !ids.All(DeadLetterIds.IsValid))
        {
            return (null, HttpJson.Error(HttpStatusCode.BadRequest, "invalid_ids",
                $"ids must hold 1 to {MaxIds} dead-letter queue message ids, as the list gives them (GUIDs)."));
        }

        return (ids.Distinct(StringComparer.Ordinal).ToArray(), null);
    }
}
