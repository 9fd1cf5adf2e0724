using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.Tests.Unit.Functions;

/// <summary>What an HTTP function's result writes to the response, read back for assertions.</summary>
public sealed record TestHttpResponse(HttpStatusCode StatusCode, string? ContentType, byte[] Body)
{
    /// <summary>Executes <paramref name="result"/> as the worker's ASP.NET Core pipeline does and captures the response.</summary>
    public static async Task<TestHttpResponse> ExecuteAsync(IResult result, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        var response = request.HttpContext.Response;
        await result.ExecuteAsync(request.HttpContext);
        var body = ((MemoryStream)response.Body).ToArray();
        return new TestHttpResponse((HttpStatusCode)response.StatusCode, response.ContentType, body);
    }

    /// <summary>The JSON the function wrote.</summary>
    public static JsonElement ReadJson(TestHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }
}
