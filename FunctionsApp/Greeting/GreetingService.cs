using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Unicode;
using FunctionsApp.Diagnostics;
using FunctionsApp.Json;

namespace FunctionsApp.Greeting;

/// <summary>
/// Decides the greeting for a request: the name comes from a JSON body first, else the query
/// string; bad input gets a 4xx with a reason, never an exception.
/// </summary>
public sealed class GreetingService(TimeProvider time)
{
    public const int MaxBodyBytes = 8 * 1024;
    /// <summary>The longest name, in text elements: what a person counts as characters (an emoji is one).</summary>
    public const int MaxNameLength = 100;
    public const string AnonymousMessage = "Hello! Welcome to serverless. Send a name parameter to personalize.";

    public GreetingResult Greet(GreetingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Body.Length > MaxBodyBytes || request.DeclaredBodyLength > MaxBodyBytes)
        {
            return GreetingResult.Fail(HttpStatusCode.RequestEntityTooLarge, "body_too_large",
                $"The request body must be at most {MaxBodyBytes} bytes.");
        }

        string? name = request.QueryName;
        if (!IsBlank(request.Body.Span))
        {
            if (!IsJsonContentType(request.ContentType))
            {
                return GreetingResult.Fail(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type",
                    "Send the body as application/json, or send no body and use ?name=.");
            }

            var fromBody = ReadName(request.Body, out var error);
            if (error is not null)
            {
                return error;
            }

            name = fromBody ?? name;
        }

        if (name is null)
        {
            return GreetingResult.Ok(new GreetingReply(AnonymousMessage, time.GetUtcNow()));
        }

        var trimmed = name.Trim();
        if (trimmed.Length == 0)
        {
            return GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name", "The name must not be empty.");
        }

        if (new StringInfo(trimmed).LengthInTextElements > MaxNameLength)
        {
            return GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name",
                $"The name must be at most {MaxNameLength} characters.");
        }

        if (HasInvisibleControl(trimmed))
        {
            return GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name",
                "The name must not contain control characters or invisible formatting characters (such as U+200B or U+202E).");
        }

        // The worker decodes invalid UTF-8 in the query string (%C3%28) to U+FFFD instead of
        // failing; no real name holds it, so it is treated like invalid UTF-8 in a body.
        if (trimmed.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name", "The name is not valid UTF-8 text.");
        }

        return GreetingResult.Ok(new GreetingReply($"Hello {trimmed}! Welcome to serverless.", time.GetUtcNow()));
    }

    private static string? ReadName(ReadOnlyMemory<byte> body, out GreetingResult? error)
    {
        error = null;
        // Editors on Windows save files with a byte order mark; it is not JSON, but not an error either.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        // The JSON reader checks the encoding of the structure but not of string contents, whose
        // invalid UTF-8 would only surface as an InvalidOperationException (a 500) from GetString.
        if (!Utf8.IsValid(body.Span))
        {
            error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_json", "The request body is not valid UTF-8.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(body);
        }
        catch (DuplicatePropertyException duplicate)
        {
            error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_json",
                $"The request body has the property {CallerText.Quote(duplicate.Name)} more than once in the object at {CallerText.Quote(duplicate.ObjectPath)}.");
            return null;
        }
        catch (JsonException)
        {
            error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_json", "The request body is not valid JSON.");
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_json", "The request body must be a JSON object.");
                return null;
            }

            // A null name is no name: serializers write an unset field as null (System.Text.Json,
            // Json.NET and JSON.stringify by default), and such a client means "no name", not a
            // wrong one. Any other value that is not a string is invalid_name.
            if (!document.RootElement.TryGetProperty("name", out var name) || name.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (name.ValueKind != JsonValueKind.String)
            {
                error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name", "The name must be a string.");
                return null;
            }

            if (JsonText.TryGetString(name, out var text))
            {
                return text;
            }

            error = GreetingResult.Fail(HttpStatusCode.BadRequest, "invalid_name", "The name is not valid Unicode text.");
            return null;
        }
    }

    /// <summary>
    /// Control characters, line and paragraph separators, and format characters: invisible, and
    /// some reorder the text around them (U+202E) or make a blank name look filled (U+200B). The
    /// zero-width joiner and non-joiner are allowed between two characters: emoji sequences and
    /// Persian and Indic names need them there.
    /// </summary>
    private static bool HasInvisibleControl(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(name, i);
            if (category is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return true;
            }

            if (category == UnicodeCategory.Format && !(name[i] is '\u200C' or '\u200D' && i > 0 && i < name.Length - 1))
            {
                return true;
            }

            if (char.IsSurrogatePair(name, i))
            {
                i++;
            }
        }

        return false;
    }

    private static bool IsJsonContentType(string? contentType)
    {
        // No Content-Type is read as JSON, for clients that send a body without naming it. (curl -d
        // names it application/x-www-form-urlencoded, which is refused: the README's examples set it.)
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsBlank(ReadOnlySpan<byte> body) =>
        body.TrimStart(" \t\r\n"u8).IsEmpty;
}
