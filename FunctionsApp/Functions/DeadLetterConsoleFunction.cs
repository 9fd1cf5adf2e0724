using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using FunctionsApp.DeadLetters;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApp.Functions;

/// <summary>
/// GET /api/dead-letter-console: the operator's page (and its script and style sheet), static files
/// embedded in the app. It holds no data: the API calls it makes need the function key, which the
/// operator types into the page. Its own path is not under dead-letters/ so that it can never be
/// taken for a message id.
/// </summary>
public sealed class DeadLetterConsoleFunction
{
    public const string Name = "DeadLetterConsole";

    /// <summary>
    /// Scripts and styles only from the app itself, never inline (a body that slipped past the
    /// escaping still could not run), no frames, no forms posting elsewhere, fetches to the app only.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (string Resource, string ContentType)> Files = new Dictionary<string, (string, string)>
    {
        [""] = ("console.html", "text/html; charset=utf-8"),
        ["console.js"] = ("console.js", "text/javascript; charset=utf-8"),
        ["console.css"] = ("console.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Anonymous: the page and its script are the same for everyone and carry no data.
    [Function(Name)]
    [SuppressMessage("Performance", "CA1822", Justification = "The worker creates the function class and calls the method on it, like every other function.")]
    public IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dead-letter-console/{file?}")] HttpRequest request,
        string? file)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Files.TryGetValue(file ?? "", out var entry))
        {
            return Results.NotFound();
        }

        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Bytes(ConsoleFiles.Read(entry.Resource), entry.ContentType);
    }
}
