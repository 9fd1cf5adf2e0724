using System.Net;

using FunctionsApp.Http;

namespace FunctionsApp.Greeting;

/// <summary>The greeting's answer: a status and exactly one of a reply or an error.</summary>
public sealed record GreetingResult(HttpStatusCode Status, GreetingReply? Reply, ErrorReply? Error)
{
    public static GreetingResult Ok(GreetingReply reply) => new(HttpStatusCode.OK, reply, null);

    public static GreetingResult Fail(HttpStatusCode status, string error, string message) =>
        new(status, null, new ErrorReply(error, message));
}
