using System.Globalization;
using System.Net;
using FunctionsApp.Http;
using FunctionsApp.Replay;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// The operator's replay command: POST /api/dead-letters/replay[?reason=...&amp;max=...] moves
/// dead-lettered messages back to the work queue and answers with what it moved.
/// </summary>
public sealed class ReplayDeadLettersFunction(IDeadLetterReplayer replayer)
{
    public const string Name = "ReplayDeadLetters";
    public const int DefaultMax = 1000;
    public const int MaxMax = 10_000;

    // Function level: in Azure it needs a function key, since it moves messages; Core Tools does
    // not check keys locally.
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "dead-letters/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? reason = request.Query["reason"];
        if (reason is not null && (reason.Length is 0 or > 64 || !reason.All(c => c is '_' || char.IsAsciiLetterLower(c))))
        {
            return HttpJson.Error(HttpStatusCode.BadRequest, "invalid_reason",
                "reason must be a reason code such as unknown_action (lowercase letters and underscores).");
        }

        var max = DefaultMax;
        if ((string?)request.Query["max"] is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxMax))
        {
            return HttpJson.Error(HttpStatusCode.BadRequest, "invalid_max", $"max must be a whole number from 1 to {MaxMax}.");
        }

        var report = await replayer.ReplayAsync(reason, max, cancellationToken).ConfigureAwait(false);
        return HttpJson.Json(HttpStatusCode.OK, report, AppJsonContext.Outgoing.ReplayReport);
    }
}
