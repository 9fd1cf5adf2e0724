using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

FunctionsApplication.CreateBuilder(args).Build().Run();

namespace HostApps.BuiltInHttp
{
/// <summary>Probes for the host's HTTP path on the built-in model, and a queue probe for its function timeout.</summary>
public sealed class Probes
{
    // Invocations of each message running in this worker right now: a second one beside the first
    // is what the host's timeout handling must prevent.
    private static readonly ConcurrentDictionary<string, int> RunningByMessage = new();

    /// <summary>
    /// Runs past any short function timeout. A message <c>honour</c> waits on the invocation's
    /// cancellation token (which the host's InvocationCancel fires) and logs when it fires; a message
    /// <c>ignore</c> sleeps a minute regardless. Each start logs how many invocations of the same
    /// message are running in this worker.
    /// </summary>
    [Function("Stall")]
    public static async Task Stall(
        [QueueTrigger("%StallQueueName%", Connection = "AzureWebJobsStorage")] string body, FunctionContext context, CancellationToken cancellationToken)
    {
        var logger = context.GetLogger("Probe.Stall");
        var id = context.BindingContext.BindingData.TryGetValue("Id", out var value) ? value?.ToString() ?? "" : "";
        var running = RunningByMessage.AddOrUpdate(id, 1, (_, n) => n + 1);
        var clock = Stopwatch.StartNew();
        StallLog.Started(logger, id, running);
        try
        {
            if (body == "ignore")
            {
                await Task.Delay(TimeSpan.FromMinutes(1), CancellationToken.None);
                return;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            StallLog.Cancelled(logger, id, clock.ElapsedMilliseconds);
            throw;
        }
        finally
        {
            RunningByMessage.AddOrUpdate(id, 0, (_, n) => n - 1);
        }
    }

    /// <summary>Answers with the number of body bytes it read and the value of the X-Probe header.</summary>
    [Function("Echo")]
    public static async Task<HttpResponseData> Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "echo/{id?}")] HttpRequestData request, string? id)
    {
        var read = 0L;
        var buffer = new byte[81920];
        int count;
        while ((count = await request.Body.ReadAsync(buffer)) > 0)
        {
            read += count;
        }

        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("X-Probe", request.Headers.TryGetValues("X-Probe", out var probe) ? string.Join(",", probe) : "");
        await response.WriteStringAsync($"read={read};id={id}");
        return response;
    }

    /// <summary>The greeting's shape (a name from the query, JSON with message and timestamp), for comparing the HTTP models.</summary>
    [Function("Greet")]
    public static async Task<HttpResponseData> Greet([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request)
    {
        var name = System.Web.HttpUtility.ParseQueryString(request.Url.Query)["name"] ?? "there";
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteAsJsonAsync(new { message = $"Hello {name}! Welcome to serverless.", timestamp = DateTimeOffset.UtcNow });
        return response;
    }

    /// <summary>Waits ?ms= milliseconds, then answers.</summary>
    [Function("Slow")]
    public static async Task<HttpResponseData> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request)
    {
        await Task.Delay(int.Parse(System.Web.HttpUtility.ParseQueryString(request.Url.Query)["ms"] ?? "0", System.Globalization.CultureInfo.InvariantCulture));
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync("slow done");
        return response;
    }

    /// <summary>Throws: the function fails.</summary>
    [Function("Fail")]
    public static HttpResponseData Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
        throw new InvalidOperationException("The probe failed on purpose.");
}

/// <summary>The queue probe's log lines, which the host's timeout tests read.</summary>
internal static partial class StallLog
{
    [LoggerMessage(EventId = 1, EventName = "StallStarted", Level = LogLevel.Information, Message = "Stall {MessageId} started with {Running} running")]
    public static partial void Started(ILogger logger, string messageId, int running);

    [LoggerMessage(EventId = 2, EventName = "StallCancelled", Level = LogLevel.Warning, Message = "Stall {MessageId} cancelled after {Milliseconds} ms")]
    public static partial void Cancelled(ILogger logger, string messageId, long milliseconds);
}
}
