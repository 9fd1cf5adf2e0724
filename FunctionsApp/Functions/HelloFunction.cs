using System.Text.Json;
using FunctionsApp.Greeting;
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

        var response = request.CreateResponse(result.Status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        byte[] json;
        if (result.Error is { } error)
        {
            GreetingLog.GreetingRejected(logger, (int)result.Status, error.Error);
            json = JsonSerializer.SerializeToUtf8Bytes(error, AppJsonContext.Default.ErrorReply);
        }
        else
        {
            json = JsonSerializer.SerializeToUtf8Bytes(result.Reply!, AppJsonContext.Default.GreetingReply);
        }

        await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        return response;
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
