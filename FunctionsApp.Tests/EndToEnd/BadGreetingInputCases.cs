using System.Net;
using System.Text;
using FunctionsApp.Greeting;

namespace FunctionsApp.Tests.EndToEnd;

/// <summary>The table of bad greeting requests, each with the status and error code the README promises.</summary>
public static class BadGreetingInputCases
{
    private const string Json = "application/json";

    public static IReadOnlyList<GreetingInputCase> All { get; } =
    [
        new("invalid JSON", HttpMethod.Post, Utf8("""{"name": "Ada" """), Json, HttpStatusCode.BadRequest, "invalid_json"),
        new("JSON array", HttpMethod.Post, Utf8("""["Ada"]"""), Json, HttpStatusCode.BadRequest, "invalid_json"),
        new("JSON string", HttpMethod.Post, Utf8("\"Ada\""), Json, HttpStatusCode.BadRequest, "invalid_json"),
        new("JSON null", HttpMethod.Post, Utf8("null"), Json, HttpStatusCode.BadRequest, "invalid_json"),
        new("name a number", HttpMethod.Post, Utf8("""{"name":42}"""), Json, HttpStatusCode.BadRequest, "invalid_name"),
        new("name of 101 characters", HttpMethod.Post, Utf8($$"""{"name":"{{new string('n', GreetingService.MaxNameLength + 1)}}"}"""), Json,
            HttpStatusCode.BadRequest, "invalid_name"),
        // 10,000 characters cannot fit in the 8 KiB a body may have: the size limit answers first.
        new("name of 10,000 characters", HttpMethod.Post, Utf8($$"""{"name":"{{new string('n', 10_000)}}"}"""), Json,
            HttpStatusCode.RequestEntityTooLarge, "body_too_large"),
        new("name a lone surrogate escape", HttpMethod.Post, Utf8("""{"name":"\ud800"}"""), Json, HttpStatusCode.BadRequest, "invalid_name"),
        // {"name":"\xC3\x28"}: a UTF-8 lead byte followed by a byte that cannot continue it.
        new("invalid UTF-8", HttpMethod.Post, [.. Utf8("{\"name\":\""), 0xC3, 0x28, .. Utf8("\"}")], Json,
            HttpStatusCode.BadRequest, "invalid_json"),
        new("1 MiB body", HttpMethod.Post, Utf8($$"""{"name":"{{new string('n', 1024 * 1024)}}"}"""), Json,
            HttpStatusCode.RequestEntityTooLarge, "body_too_large"),
        new("text/plain body", HttpMethod.Post, Utf8("""{"name":"Ada"}"""), "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
        new("name of 101 characters in the query", HttpMethod.Get, null, null, HttpStatusCode.BadRequest, "invalid_name")
        {
            Query = "?name=" + new string('n', GreetingService.MaxNameLength + 1),
        },
        // The worker decodes the invalid UTF-8 to U+FFFD; the app must still refuse it.
        new("invalid UTF-8 in the query", HttpMethod.Get, null, null, HttpStatusCode.BadRequest, "invalid_name")
        {
            Query = "?name=A%C3%28",
        },
        // Parameter names are matched in any case, as ASP.NET Core's request.Query matches them;
        // the strict UTF-8 check holds whatever the case.
        new("invalid UTF-8 in the query, NAME in capitals", HttpMethod.Get, null, null, HttpStatusCode.BadRequest, "invalid_name")
        {
            Query = "?NAME=A%C3%28",
        },
        new("empty name in the query", HttpMethod.Get, null, null, HttpStatusCode.BadRequest, "invalid_name")
        {
            Query = "?name=",
        },
        new("name twice", HttpMethod.Post, Utf8("""{"name":"Ada","name":"Grace"}"""), Json, HttpStatusCode.BadRequest, "invalid_json"),
        new("name of zero-width spaces", HttpMethod.Post, Utf8("{\"name\":\"\u200B\u200B\"}"), Json, HttpStatusCode.BadRequest, "invalid_name"),
        new("name with a bidi override in the query", HttpMethod.Get, null, null, HttpStatusCode.BadRequest, "invalid_name")
        {
            Query = "?name=Ada%E2%80%AEecalevol",
        },
        new("PUT", HttpMethod.Put, Utf8("""{"name":"Ada"}"""), Json, HttpStatusCode.NotFound, null),
        new("DELETE", HttpMethod.Delete, null, null, HttpStatusCode.NotFound, null),
    ];

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var row in All)
        {
            names.Add(row.Name);
        }

        return names;
    }

    public static GreetingInputCase Get(string name) => All.Single(c => c.Name == name);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
