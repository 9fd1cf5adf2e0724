using FunctionsApp.Greeting;
using FunctionsApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsApp.Functions;

/// <summary>The public greeting endpoint: GET or POST /api/hello.</summary>
public sealed class HelloFunction(GreetingService greetings, ILogger<HelloFunction> logger)
{
    public const string Name = "Hello";

    // Anonymous on purpose: a greeting is public and holds nothing to protect.
    [Function(Name)]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "hello")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await ReadAtMostAsync(request.Body, GreetingService.MaxBodyBytes + 1, cancellationToken).ConfigureAwait(false);
        var contentType = request.Headers.TryGetValues("Content-Type", out var values) ? values.FirstOrDefault() : null;
        var result = greetings.Greet(new GreetingRequest(body, contentType, request.Query["name"]));

        if (result.Error is { } error)
        {
            GreetingLog.GreetingRejected(logger, (int)result.Status, error.Error);
            return await request.RespondAsync(result.Status, error, AppJsonContext.Readable.ErrorReply, cancellationToken).ConfigureAwait(false);
        }

        return await request.RespondAsync(result.Status, result.Reply!, AppJsonContext.Readable.GreetingReply, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads no more than <paramref name="limit"/> bytes, so an oversized body costs little.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return buffer.AsMemory(0, total);
    }
}
