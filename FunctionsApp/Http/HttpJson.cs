using System.Net;
using System.Text.Json.Serialization.Metadata;
using FunctionsApp.Json;
using Microsoft.AspNetCore.Http;

namespace FunctionsApp.Http;

/// <summary>
/// JSON answers with source-generated serializers, the same way for every HTTP function: with the
/// app's outgoing escaping (<see cref="OutgoingJson"/>), whichever capability's context the type comes from.
/// </summary>
public static class HttpJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static IResult Json<T>(HttpStatusCode status, T body, JsonTypeInfo<T> typeInfo) =>
        Results.Json(body, OutgoingJson.Of(typeInfo), ContentType, (int)status);

    public static IResult Error(HttpStatusCode status, string error, string message) =>
        Error(status, new ErrorReply(error, message));

    public static IResult Error(HttpStatusCode status, ErrorReply reply) =>
        Json(status, reply, HttpJsonContext.Default.ErrorReply);

    /// <summary>How an <see cref="ErrorReply"/> is written, for a caller that answers without <see cref="IResult"/>.</summary>
    public static JsonTypeInfo<ErrorReply> ErrorReplyJson => OutgoingJson.Of(HttpJsonContext.Default.ErrorReply);
}
