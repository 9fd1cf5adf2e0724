using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsApp.Http;

/// <summary>Writes JSON answers with source-generated serializers, the same way for every HTTP function.</summary>
public static class HttpJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static async Task<HttpResponseData> RespondAsync<T>(
        this HttpRequestData request, HttpStatusCode status, T body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", ContentType);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo), cancellationToken).ConfigureAwait(false);
        return response;
    }

    public static Task<HttpResponseData> RespondErrorAsync(
        this HttpRequestData request, HttpStatusCode status, string error, string message, CancellationToken cancellationToken) =>
        request.RespondAsync(status, new ErrorReply(error, message), AppJsonContext.Readable.ErrorReply, cancellationToken);
}
