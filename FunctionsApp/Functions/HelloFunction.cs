using FunctionsApp.Greeting;
using FunctionsApp.Http;
using FunctionsApp.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Functions;

/// <summary>The public greeting endpoint: GET or POST /api/hello.</summary>
public sealed class HelloFunction(GreetingService greetings, AppMetrics metrics, ILogger<HelloFunction> logger)
{
    public const string Name = "Hello";

    // Anonymous on purpose: a greeting is public and holds nothing to protect.
    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "hello")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A Content-Length over the limit is refused unread: the answer cannot change, and a length
        // past the worker's Kestrel limit would make the first read throw (a 500). Kestrel discards
        // the unread body after the answer.
        var declared = request.ContentLength;
        var body = declared > GreetingService.MaxBodyBytes
            ? ReadOnlyMemory<byte>.Empty
            : await HttpBody.ReadAtMostAsync(request.Body, GreetingService.MaxBodyBytes + 1, cancellationToken).ConfigureAwait(false);
        var result = greetings.Greet(new GreetingRequest(body, request.ContentType, QueryName(request.QueryString), declared));
        metrics.Greeting((int)result.Status);

        if (result.Error is { } error)
        {
            GreetingLog.GreetingRejected(logger, (int)result.Status, error.Error);
            return HttpJson.Error(result.Status, error);
        }

        return HttpJson.Json(result.Status, result.Reply!, GreetingJsonContext.Default.GreetingReply);
    }

    /// <summary>
    /// The <c>name</c> query parameter, its escapes decoded as UTF-8 with invalid sequences turned
    /// into U+FFFD, which the greeting refuses. ASP.NET Core's own query parsing would leave an
    /// invalid escape such as <c>%C3%28</c> as the literal text "%C3(" and greet it. Otherwise it
    /// reads the query as <c>request.Query</c> does: the parameter's name in any case
    /// (<c>?NAME=Ada</c>), repeated values joined with commas. A bare <c>?name</c> (no <c>=</c>)
    /// carries no value and counts as no name, as it did on the built-in HTTP model; <c>?name=</c>
    /// sends an empty one, which the greeting refuses.
    /// </summary>
    internal static string? QueryName(QueryString query)
    {
        var raw = query.Value;
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        var values = raw.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && string.Equals(Decode(pair[0]), "name", StringComparison.OrdinalIgnoreCase))
            .Select(pair => Decode(pair[1]))
            .ToArray();
        return values.Length == 0 ? null : string.Join(',', values);

        static string Decode(string text) => System.Text.Encoding.UTF8.GetString(System.Web.HttpUtility.UrlDecodeToBytes(text));
    }
}
